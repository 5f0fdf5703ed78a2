package io.shoal.node.security;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * Signatures with {@link KeyScheme#SIGNATURE_ALGORITHM}: made with a node's key, checked with its
 * certificate's.
 */
public final class Signatures {
  private Signatures() {}

  static byte[] sign(PrivateKey key, byte[] payload) {
    try {
      Signature s = Signature.getInstance(KeyScheme.SIGNATURE_ALGORITHM);
      s.initSign(key);
      s.update(payload);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "signing with a loaded " + KeyScheme.CURVE + " key failed", e);
    }
  }

  /**
   * Whether {@code signature} is {@code key}'s signature over {@code payload}; false if malformed.
   */
  public static boolean verify(PublicKey key, byte[] payload, byte[] signature) {
    try {
      Signature s = Signature.getInstance(KeyScheme.SIGNATURE_ALGORITHM);
      s.initVerify(key);
      s.update(payload);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
