package io.shoal.node.net;

import io.shoal.node.security.ClusterTrust;
import io.shoal.node.security.PeerRefusedException;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS trust decision of the peer port, for both directions: the peer's leaf certificate must
 * pass {@link ClusterTrust#check} (signed by the cluster's CA, valid now, not revoked). A refusal
 * throws during the TLS handshake, so no shoal frame of a stranger is ever read.
 *
 * <p>No host name is checked, on purpose: peers are named by node id, not by DNS, and a node's
 * address may change; the certificate binds the id, and the id is what the node trusts.
 *
 * <p>Thread-safe: the trust is swapped whole when the credential directory changes, and every
 * handshake reads the clock here, at the edge.
 */
final class ClusterTrustManager extends X509ExtendedTrustManager {
  private volatile ClusterTrust trust;

  /**
   * The refusal each failed engine's handshake met, for the handshake handler to name: the OpenSSL
   * provider does not keep a trust manager's exception in the failure it reports. Weak keys, and
   * each entry is taken once, so it cannot grow with connections.
   */
  private final Map<SSLEngine, PeerRefusedException> refusals =
      Collections.synchronizedMap(new WeakHashMap<>());

  ClusterTrustManager(ClusterTrust trust) {
    this.trust = trust;
  }

  void update(ClusterTrust now) {
    trust = now;
  }

  ClusterTrust trust() {
    return trust;
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    trust.check(chain == null || chain.length == 0 ? null : chain[0], Instant.now());
  }

  private void check(X509Certificate[] chain, SSLEngine engine) throws CertificateException {
    try {
      check(chain);
    } catch (PeerRefusedException e) {
      refusals.put(engine, e);
      throw e;
    }
  }

  /** The refusal {@code engine}'s handshake met here, if any; forgets it. */
  PeerRefusedException takeRefusal(SSLEngine engine) {
    return refusals.remove(engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, engine);
  }

  /**
   * None: the server names no certificate authorities, so a peer presents whatever certificate it
   * has and is refused here, by reason, rather than failing to find a key and aborting the
   * handshake with an internal error that says nothing.
   */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }

  /** The refusal in a TLS failure's causes, if this trust manager made it. */
  static PeerRefusedException refusalIn(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PeerRefusedException p) {
        return p;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
