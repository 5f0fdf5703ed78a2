package io.shoal.gossip;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A signature over a claim, as {@link ClaimAuthority#sign} made it: opaque bytes, at most {@link
 * ClaimAuthority#MAX_SIGNATURE_BYTES}, empty when the signer does not sign. Immutable.
 */
public final class Signature {
  /** The signature of a node that does not sign. */
  public static final Signature NONE = new Signature(new byte[0]);

  private final byte[] bytes;

  private Signature(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * A copy of {@code bytes}.
   *
   * @throws IllegalArgumentException when longer than {@link ClaimAuthority#MAX_SIGNATURE_BYTES}
   */
  public static Signature of(byte[] bytes) {
    if (bytes.length > ClaimAuthority.MAX_SIGNATURE_BYTES) {
      throw new IllegalArgumentException(
          "signature of " + bytes.length + " bytes exceeds " + ClaimAuthority.MAX_SIGNATURE_BYTES);
    }
    return bytes.length == 0 ? NONE : new Signature(bytes.clone());
  }

  /** A copy of the bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  boolean isEmpty() {
    return bytes.length == 0;
  }

  /** The bytes without a copy, for encoders that only read them. */
  byte[] unsafeBytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Signature s && Arrays.equals(bytes, s.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return bytes.length == 0
        ? "unsigned"
        : "sig:" + HexFormat.of().formatHex(bytes, 0, Math.min(4, bytes.length));
  }
}
