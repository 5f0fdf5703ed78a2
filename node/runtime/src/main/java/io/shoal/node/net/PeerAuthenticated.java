package io.shoal.node.net;

import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import java.util.Arrays;
import java.util.Objects;

/**
 * A peer that passed the handshake: fired down the pipeline when it completes, and kept on the
 * connection's {@link PeerLink}.
 *
 * @param nodeId the peer's id: derived from its verified certificate on a secured connection, as it
 *     declared itself on an insecure one
 * @param listenAddress where the peer accepts connections, as it declared
 * @param version the protocol version both speak
 * @param certificate the DER encoding of the peer's certificate, verified in the TLS handshake
 *     against the cluster's CA, validity and revocation list; empty on an insecure connection
 */
@SuppressWarnings("ArrayRecordComponent") // copied in and out; equals compares contents
public record PeerAuthenticated(
    NodeId nodeId, Endpoint listenAddress, int version, byte[] certificate) {
  public PeerAuthenticated {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(listenAddress, "listenAddress");
    certificate = certificate.clone();
  }

  /** A copy of the peer's certificate (DER); empty when the connection is insecure. */
  @Override
  public byte[] certificate() {
    return certificate.clone();
  }

  /** Whether the peer proved its id with a certificate of this cluster. */
  public boolean isVerified() {
    return certificate.length > 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerAuthenticated p
        && nodeId.equals(p.nodeId)
        && listenAddress.equals(p.listenAddress)
        && version == p.version
        && Arrays.equals(certificate, p.certificate);
  }

  @Override
  public int hashCode() {
    return Objects.hash(nodeId, listenAddress, version, Arrays.hashCode(certificate));
  }

  @Override
  public String toString() {
    return "PeerAuthenticated["
        + nodeId.shortHex()
        + " at "
        + listenAddress
        + ", v"
        + version
        + (isVerified() ? ", certificate of " + certificate.length + " bytes" : ", insecure")
        + "]";
  }
}
