package io.shoal.node.net;

import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;

/**
 * Fired down the pipeline once the handshake succeeded.
 *
 * @param nodeId the peer's authenticated id
 * @param listenAddress where the peer accepts connections
 * @param version the protocol version both speak
 */
record PeerAuthenticated(NodeId nodeId, Endpoint listenAddress, int version) {}
