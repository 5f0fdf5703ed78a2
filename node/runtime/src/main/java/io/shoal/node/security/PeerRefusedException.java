package io.shoal.node.security;

import java.security.cert.CertificateException;

/**
 * A peer certificate this cluster does not accept, thrown by the TLS trust decision so the
 * handshake fails before any shoal frame is read. A CertificateException because that is what a
 * JSSE trust manager may throw.
 */
public final class PeerRefusedException extends CertificateException {
  private static final long serialVersionUID = 1L;

  /** Why a certificate was refused; {@link #label} is its metric label. */
  public enum Reason {
    /** No certificate at all. */
    NO_CERTIFICATE("no_certificate"),
    /** Not signed by this cluster's CA (another cluster's, or self-signed). */
    OTHER_CA("other_ca"),
    /** Past its notAfter. */
    EXPIRED("expired"),
    /** Before its notBefore. */
    NOT_YET_VALID("not_yet_valid"),
    /** Its node id is on the revocation list. */
    REVOKED("revoked"),
    /** A CA certificate, or one without the key usage of a node. */
    NOT_A_NODE("not_a_node");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private final Reason reason;

  public PeerRefusedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
