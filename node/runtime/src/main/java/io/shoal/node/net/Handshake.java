package io.shoal.node.net;

import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import java.util.Objects;

/**
 * The messages of the shoal handshake, which follows the TLS handshake on a secured connection (and
 * opens a plaintext one): protocol versions, cluster id, node id and listen address. Who the peer
 * is was settled by TLS; Hello only says how to talk to it.
 */
public final class Handshake {
  private Handshake() {}

  /**
   * The first message each side sends.
   *
   * @param minVersion lowest protocol version the sender speaks
   * @param maxVersion highest protocol version the sender speaks
   * @param clusterId the sender's cluster (derived from the CA when secured)
   * @param nodeId the sender's node id: on a secured connection it must equal the id derived from
   *     the sender's certificate, or the connection is refused; it is never trusted on its own
   * @param listenAddress where the sender accepts connections
   */
  public record Hello(
      int minVersion, int maxVersion, String clusterId, NodeId nodeId, Endpoint listenAddress) {
    public Hello {
      Objects.requireNonNull(clusterId, "clusterId");
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(listenAddress, "listenAddress");
    }

    @Override
    public String toString() {
      return "Hello["
          + nodeId.shortHex()
          + " at "
          + listenAddress
          + ", cluster "
          + clusterId
          + ", v"
          + minVersion
          + ".."
          + maxVersion
          + "]";
    }
  }

  /** Sent before closing a connection the sender will not accept, with the reason. */
  public record Refused(String reason) {
    public Refused {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
