package io.shoal.node.security;

import io.shoal.gossip.NodeId;
import io.shoal.node.security.PeerRefusedException.Reason;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;

/**
 * Who belongs to a cluster: a certificate signed by the cluster's CA, valid now, not a CA itself,
 * for a node id that is not revoked. The one trust decision, made in the TLS handshake for direct
 * peers and available to gossip for credentials relayed by others. Immutable and thread-safe.
 */
public final class ClusterTrust {
  private final X509Certificate ca;
  private final RevocationList revoked;
  private final String clusterId;

  public ClusterTrust(X509Certificate ca, RevocationList revoked) {
    this.ca = Objects.requireNonNull(ca, "ca");
    this.revoked = Objects.requireNonNull(revoked, "revoked");
    this.clusterId = NodeIds.clusterId(ca.getPublicKey());
  }

  /** The cluster id derived from the CA's public key. */
  public String clusterId() {
    return clusterId;
  }

  public X509Certificate caCertificate() {
    return ca;
  }

  public RevocationList revocations() {
    return revoked;
  }

  /**
   * The node id of {@code cert} if this cluster admits it at {@code now}.
   *
   * @throws PeerRefusedException with the reason otherwise
   */
  public NodeId check(X509Certificate cert, Instant now) throws PeerRefusedException {
    if (cert == null) {
      throw new PeerRefusedException(Reason.NO_CERTIFICATE, "the peer sent no certificate");
    }
    NodeId id = NodeIds.of(cert);
    try {
      cert.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new PeerRefusedException(
          Reason.OTHER_CA,
          "certificate of " + id.shortHex() + " is not signed by this cluster's CA");
    }
    try {
      cert.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw new PeerRefusedException(
          Reason.EXPIRED,
          "certificate of " + id.shortHex() + " expired on " + cert.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new PeerRefusedException(
          Reason.NOT_YET_VALID,
          "certificate of "
              + id.shortHex()
              + " is valid only from "
              + cert.getNotBefore().toInstant());
    }
    if (cert.getBasicConstraints() >= 0) {
      throw new PeerRefusedException(Reason.NOT_A_NODE, "a CA certificate is no node's credential");
    }
    if (revoked.isRevoked(id)) {
      throw new PeerRefusedException(Reason.REVOKED, "node " + id.shortHex() + " is revoked");
    }
    return id;
  }

  /**
   * The node id of the certificate encoded in {@code certificateDer} if this cluster admits it at
   * {@code now}.
   *
   * @throws PeerRefusedException with the reason otherwise ({@code NOT_A_NODE} when the bytes are
   *     no certificate)
   */
  public NodeId check(byte[] certificateDer, Instant now) throws PeerRefusedException {
    X509Certificate cert;
    try {
      cert = Pem.parseCertificate(certificateDer, "credential");
    } catch (CredentialException e) {
      throw new PeerRefusedException(Reason.NOT_A_NODE, e.getMessage());
    }
    return check(cert, now);
  }

  /**
   * The public key of {@code subject} if {@code certificateDer} is a certificate this cluster
   * admits at {@code now} for exactly that node id; null otherwise (a malformed certificate
   * included). For credentials learned through gossip.
   */
  public PublicKey admit(NodeId subject, byte[] certificateDer, Instant now) {
    try {
      X509Certificate cert = Pem.parseCertificate(certificateDer, "credential");
      return check(cert, now).equals(subject) ? cert.getPublicKey() : null;
    } catch (CredentialException | PeerRefusedException e) {
      return null; // whatever is wrong with it, it admits no one
    }
  }
}
