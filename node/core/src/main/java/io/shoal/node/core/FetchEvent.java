package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;

/** What a fetch reports to its driver. */
public sealed interface FetchEvent {
  /**
   * A peer broke the protocol (sent chunks that failed verification, or a have bitmap over another
   * count of data chunks) and will not be asked again; {@code reason} says how, for operators.
   */
  record PeerBanned(NodeId peer, String reason) implements FetchEvent {}

  /** A chunk failed verification; it goes back to be fetched from another peer. */
  record BadChunk(NodeId peer, ChunkId id) implements FetchEvent {}

  /**
   * Request {@code requestId} was dropped without a cancel (its peer was banned or is gone): no
   * reply to it is awaited any more.
   */
  record RequestDropped(long requestId) implements FetchEvent {}

  /** Every wanted chunk is verified and the plan is complete. */
  record Completed() implements FetchEvent {}
}
