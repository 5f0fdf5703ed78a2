package io.shoal.node.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared secret that admits a peer. Proofs are HMAC-SHA256 over both handshake nonces and both
 * node ids; the key itself never leaves the process. Without a key file the node runs in an
 * explicit insecure mode: a fixed, public key that any insecure peer also uses.
 */
public final class ClusterKey {
  /** Shortest key accepted from a file, in bytes. */
  public static final int MIN_KEY_BYTES = 16;

  private static final byte[] INSECURE =
      "shoal-insecure-no-cluster-key".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LABEL = "shoal-auth-v1".getBytes(StandardCharsets.UTF_8);

  private final byte[] key;
  private final boolean secure;

  private ClusterKey(byte[] key, boolean secure) {
    this.key = key;
    this.secure = secure;
  }

  /** The insecure mode's key. */
  public static ClusterKey insecure() {
    return new ClusterKey(INSECURE.clone(), false);
  }

  /**
   * Reads a key file (its bytes, with surrounding whitespace trimmed).
   *
   * @throws IOException naming the file when it cannot be read or is too short
   */
  public static ClusterKey fromFile(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8).strip();
    byte[] key = text.getBytes(StandardCharsets.UTF_8);
    if (key.length < MIN_KEY_BYTES) {
      throw new IOException(
          "cluster key in " + file + " is " + key.length + " bytes; use at least " + MIN_KEY_BYTES);
    }
    return new ClusterKey(key, true);
  }

  /** A key from bytes, for tests. */
  public static ClusterKey of(byte[] key) {
    return new ClusterKey(key.clone(), true);
  }

  public boolean isSecure() {
    return secure;
  }

  /**
   * The proof the prover sends: HMAC(label, verifier nonce, prover nonce, prover id, verifier id).
   */
  byte[] proof(byte[] verifierNonce, byte[] proverNonce, byte[] proverId, byte[] verifierId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(LABEL);
      mac.update(verifierNonce);
      mac.update(proverNonce);
      mac.update(proverId);
      mac.update(verifierId);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no HmacSHA256", e);
    }
  }

  /** Constant-time comparison of a received proof with the expected one. */
  static boolean matches(byte[] expected, byte[] received) {
    return MessageDigest.isEqual(expected, received);
  }

  static byte[] idBytes(io.shoal.gossip.NodeId id) {
    return ByteBuffer.allocate(16).putLong(id.high()).putLong(id.low()).array();
  }
}
