package io.shoal.node.net;

import io.shoal.gossip.NodeId;

/**
 * Decides which authenticated peers' messages are delivered: the hook through which tests and fault
 * drills cut the network between groups of nodes. Called on event loops; must not block.
 */
@FunctionalInterface
public interface TransportFilter {
  boolean accept(NodeId from);

  static TransportFilter allowAll() {
    return from -> true;
  }
}
