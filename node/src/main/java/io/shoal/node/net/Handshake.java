package io.shoal.node.net;

import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import java.util.Arrays;
import java.util.Objects;

/** The messages of the handshake that opens every peer connection. */
public final class Handshake {
  private Handshake() {}

  /**
   * The first message each side sends.
   *
   * @param minVersion lowest protocol version the sender speaks
   * @param maxVersion highest protocol version the sender speaks
   * @param clusterId the sender's cluster
   * @param nodeId the sender's node id
   * @param listenAddress where the sender accepts connections
   * @param nonce 32 random bytes the other side must include in its proof
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in and out; equals compares contents
  public record Hello(
      int minVersion,
      int maxVersion,
      String clusterId,
      NodeId nodeId,
      Endpoint listenAddress,
      byte[] nonce) {
    public Hello {
      Objects.requireNonNull(clusterId, "clusterId");
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(listenAddress, "listenAddress");
      if (nonce.length != WireProtocol.NONCE_BYTES) {
        throw new IllegalArgumentException("nonce of " + nonce.length + " bytes");
      }
      nonce = nonce.clone();
    }

    @Override
    public byte[] nonce() {
      return nonce.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Hello h
          && minVersion == h.minVersion
          && maxVersion == h.maxVersion
          && clusterId.equals(h.clusterId)
          && nodeId.equals(h.nodeId)
          && listenAddress.equals(h.listenAddress)
          && Arrays.equals(nonce, h.nonce);
    }

    @Override
    public int hashCode() {
      return Objects.hash(
          minVersion, maxVersion, clusterId, nodeId, listenAddress, Arrays.hashCode(nonce));
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

  /**
   * The second message: HMAC-SHA256 under the cluster key over both nonces and both ids, so the key
   * never crosses the wire and a recorded proof is useless on another connection.
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in and out; equals compares contents
  public record AuthProof(byte[] mac) {
    public AuthProof {
      mac = mac.clone();
    }

    @Override
    public byte[] mac() {
      return mac.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof AuthProof p && Arrays.equals(mac, p.mac);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(mac);
    }

    @Override
    public String toString() {
      return "AuthProof[" + mac.length + " bytes]";
    }
  }

  /** Sent before closing a connection the sender will not accept, with the reason. */
  public record Refused(String reason) {
    public Refused {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
