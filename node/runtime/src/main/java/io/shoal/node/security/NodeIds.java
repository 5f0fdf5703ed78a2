package io.shoal.node.security;

import io.shoal.gossip.NodeId;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * Node ids derived from keys, as Syncthing derives device ids: the first 16 bytes of SHA-256 over
 * the DER SubjectPublicKeyInfo of the node's public key. Whoever holds the key owns the id; a
 * renewed certificate for the same key keeps it. The subject CN of a node certificate repeats the
 * id for humans and is never trusted: ids are always derived.
 */
public final class NodeIds {
  private NodeIds() {}

  /** The id of the node holding {@code key}'s private half. */
  public static NodeId of(PublicKey key) {
    ByteBuffer d = ByteBuffer.wrap(sha256(key.getEncoded()));
    return new NodeId(d.getLong(), d.getLong());
  }

  /** The id of the node a certificate is for, derived from its public key. */
  public static NodeId of(X509Certificate certificate) {
    return of(certificate.getPublicKey());
  }

  /** The cluster id of a CA: 32 hex digits of SHA-256 over its DER SubjectPublicKeyInfo. */
  public static String clusterId(PublicKey caKey) {
    return of(caKey).toHex();
  }

  /** SHA-256 over a certificate's DER encoding, hex: the fingerprint operators compare. */
  public static String fingerprint(byte[] certificateDer) {
    return HexFormat.of().formatHex(sha256(certificateDer));
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
