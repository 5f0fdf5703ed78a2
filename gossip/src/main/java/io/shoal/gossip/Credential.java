package io.shoal.gossip;

import java.util.Arrays;

/**
 * The bytes that bind a node id to its key within the cluster (for the running node, a DER X.509
 * certificate signed by the cluster's CA); opaque to the core, checked by {@link
 * ClaimAuthority#admit}. At most {@link ClaimAuthority#MAX_CREDENTIAL_BYTES}. Immutable.
 */
public final class Credential {
  /** No credential: what a node that does not sign has, and a withdrawn entry. */
  public static final Credential NONE = new Credential(new byte[0]);

  private final byte[] bytes;

  private Credential(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * A copy of {@code bytes}.
   *
   * @throws IllegalArgumentException when longer than {@link ClaimAuthority#MAX_CREDENTIAL_BYTES}
   */
  public static Credential of(byte[] bytes) {
    if (bytes.length > ClaimAuthority.MAX_CREDENTIAL_BYTES) {
      throw new IllegalArgumentException(
          "credential of "
              + bytes.length
              + " bytes exceeds "
              + ClaimAuthority.MAX_CREDENTIAL_BYTES);
    }
    return bytes.length == 0 ? NONE : new Credential(bytes.clone());
  }

  /** A copy of the bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  public boolean isEmpty() {
    return bytes.length == 0;
  }

  byte[] unsafeBytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Credential c && Arrays.equals(bytes, c.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "credential[" + bytes.length + " bytes]";
  }
}
