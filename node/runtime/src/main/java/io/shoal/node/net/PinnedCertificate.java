package io.shoal.node.net;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server certificate: the one whose SHA-256 fingerprint the node wrote into its
 * node.json. No CA and no host name are checked, because nothing but that very certificate is
 * accepted (an {@link X509ExtendedTrustManager} decides alone; JSSE adds no host name check).
 */
public final class PinnedCertificate extends X509ExtendedTrustManager {
  /** The server presented another certificate than the pinned one. */
  public static final class MismatchException extends CertificateException {
    private static final long serialVersionUID = 1L;

    MismatchException(String message) {
      super(message);
    }
  }

  private final String sha256;

  private PinnedCertificate(String sha256) {
    this.sha256 = sha256.toLowerCase(Locale.ROOT);
  }

  /** A TLS 1.3 context that trusts only the certificate with this fingerprint (hex). */
  public static SSLContext context(String sha256) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLSv1.3");
      ctx.init(null, new TrustManager[] {new PinnedCertificate(sha256)}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make a TLS 1.3 context", e);
    }
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new MismatchException("the node presented no certificate");
    }
    String presented = HttpTls.fingerprintSha256(chain[0]);
    if (!presented.equals(sha256)) {
      throw new MismatchException(
          "the node's certificate (SHA-256 " + presented + ") is not the one node.json pins");
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("the CLI authenticates servers only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("the CLI authenticates servers only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("the CLI authenticates servers only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
