package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import java.util.List;

/**
 * Who holds what, as gossip last said: the transfer session's read-only view of the swarm
 * directory, which the membership side keeps. Called on the session's thread; implementations must
 * not block and must not call back into the session.
 */
public interface Holders {
  /**
   * The live members that announce {@code root}, complete or partial, in node id order; empty when
   * none. The list may be a snapshot or a view; the caller does not keep it past the call.
   */
  List<PeerChoice.Candidate> of(ChunkId root);

  /**
   * The zone {@code peer} announced ({@link io.shoal.gossip.Zone}), or empty for none or unknown.
   */
  default String zoneOf(NodeId peer) {
    return "";
  }

  /** Whether {@code peer} is a live member (alive or suspected; not dead, left or forgotten). */
  boolean isUp(NodeId peer);

  /**
   * The members that began to hold {@code root} partially, in the order they did, alive or not:
   * where a fetch looks for newcomers without rescanning every holder. A view that only grows; the
   * caller does not keep it past the call.
   */
  List<NodeId> arrivals(ChunkId root);

  /**
   * Whether the driver reports every change of a holder to the session ({@link
   * TransferSession#onHolderChanged}); if not, the session watches {@link #arrivals} grow instead.
   */
  default boolean reportsPartialHolders() {
    return true;
  }
}
