package io.shoal.node.net;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * The key and certificate chain the HTTP API serves HTTPS with (TLS 1.3). Clients do not check the
 * chain against a CA: the CLI pins the exact leaf certificate by the SHA-256 fingerprint the node
 * writes into {@code node.json}.
 *
 * @param key the private key of the leaf certificate
 * @param chain the leaf certificate first, then any intermediates
 */
public record HttpTls(PrivateKey key, List<X509Certificate> chain) {
  public HttpTls {
    Objects.requireNonNull(key, "key");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("the API's certificate chain is empty");
    }
  }

  /** The SHA-256 fingerprint of the leaf certificate, lower-case hex. */
  public String fingerprintSha256() {
    return fingerprintSha256(chain.get(0));
  }

  /** The SHA-256 fingerprint of a certificate's DER encoding, lower-case hex. */
  public static String fingerprintSha256(X509Certificate certificate) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException(
          "cannot fingerprint " + certificate.getSubjectX500Principal(), e);
    }
  }

  SslContext serverContext() throws SSLException {
    return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
        .protocols("TLSv1.3")
        .build();
  }

  @Override
  public String toString() {
    return "HttpTls[" + chain.get(0).getSubjectX500Principal() + "]";
  }
}
