package io.shoal.node.security;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;

/**
 * The one key algorithm of shoal's credentials: ECDSA over P-256 with SHA-256.
 *
 * <p>Why not Ed25519: the JDK 17 provider (SunJSSE) does complete TLS 1.3 handshakes with Ed25519
 * certificates in both directions through Netty's SslHandler (tried), but the OpenSSL provider
 * (netty-tcnative-boringssl-static), which moves bulk data about twice as fast on this machine (see
 * {@code bench/README.md}), cannot use an Ed25519 key through Netty's key material path ("Unable to
 * find key material"). P-256 works with both providers, so the JDK provider stays a true fallback
 * when the native library cannot load.
 */
public final class KeyScheme {
  /** JCA key algorithm. */
  public static final String KEY_ALGORITHM = "EC";

  /** Named curve of every key. */
  public static final String CURVE = "secp256r1";

  /** JCA signature algorithm of certificates and of {@link NodeCredentials#sign}. */
  public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

  private KeyScheme() {}

  /** A fresh key pair. */
  public static KeyPair generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(KEY_ALGORITHM);
      g.initialize(new ECGenParameterSpec(CURVE));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot make " + CURVE + " keys", e);
    }
  }

  /** A private key from its PKCS#8 encoding. */
  static PrivateKey privateKey(byte[] pkcs8) throws GeneralSecurityException {
    return KeyFactory.getInstance(KEY_ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
  }
}
