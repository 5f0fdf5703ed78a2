package io.shoal.chunkstore;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who published a snapshot version, and the proof: the publisher's node id, its signature of {@code
 * (name, version, root)}, and its credential (the certificate that binds the id to the key within
 * the cluster). Kept with the catalog entry so that a node can go on vouching for a version after
 * its publisher left the cluster. {@link #NONE} for versions published by an insecure node, and for
 * a local publication not yet signed. Immutable.
 */
public final class Provenance {
  /** Longest signature kept, in bytes. */
  public static final int MAX_SIGNATURE_BYTES = 128;

  /** Longest credential kept, in bytes. */
  public static final int MAX_CREDENTIAL_BYTES = 4096;

  /** No proof. */
  public static final Provenance NONE = new Provenance("", new byte[0], new byte[0]);

  private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

  private final String publisher;
  private final byte[] signature;
  private final byte[] credential;

  private Provenance(String publisher, byte[] signature, byte[] credential) {
    this.publisher = publisher;
    this.signature = signature;
    this.credential = credential;
  }

  /**
   * A proof by {@code publisher} (32 lowercase hex digits).
   *
   * @throws IllegalArgumentException naming the bad field
   */
  public static Provenance of(String publisher, byte[] signature, byte[] credential) {
    Objects.requireNonNull(publisher, "publisher");
    if (!ID.matcher(publisher).matches()) {
      throw new IllegalArgumentException("publisher '" + publisher + "' is not a node id");
    }
    if (signature.length == 0 || signature.length > MAX_SIGNATURE_BYTES) {
      throw new IllegalArgumentException("publication signature of " + signature.length + " bytes");
    }
    if (credential.length > MAX_CREDENTIAL_BYTES) {
      throw new IllegalArgumentException("publisher credential of " + credential.length + " bytes");
    }
    return new Provenance(publisher, signature.clone(), credential.clone());
  }

  public boolean isSigned() {
    return !publisher.isEmpty();
  }

  /** The publisher's node id in hex, empty when unsigned. */
  public String publisher() {
    return publisher;
  }

  public byte[] signature() {
    return signature.clone();
  }

  public byte[] credential() {
    return credential.clone();
  }

  /** The publisher id's 16 bytes, for the catalog file. */
  byte[] publisherBytes() {
    return HexFormat.of().parseHex(publisher);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Provenance p
        && publisher.equals(p.publisher)
        && Arrays.equals(signature, p.signature)
        && Arrays.equals(credential, p.credential);
  }

  @Override
  public int hashCode() {
    return Objects.hash(publisher, Arrays.hashCode(signature), Arrays.hashCode(credential));
  }

  @Override
  public String toString() {
    return isSigned() ? "signed by " + publisher.substring(0, 8) : "unsigned";
  }
}
