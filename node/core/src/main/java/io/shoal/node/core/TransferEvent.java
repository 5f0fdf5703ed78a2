package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;

/** What a {@link TransferSession} reports to its driver, in the order it happened. */
public sealed interface TransferEvent {
  /** A peer sent a chunk of {@code root} that failed verification; it is fetched elsewhere. */
  record BadChunk(ChunkId root, NodeId peer, ChunkId id) implements TransferEvent {}

  /**
   * A peer broke the protocol while this node fetched {@code root} (sent chunks that failed
   * verification, or a have bitmap over another count of data chunks) and is banned from every
   * fetch until its ban ends; {@code reason} says how, for operators.
   */
  record PeerBanned(ChunkId root, NodeId peer, String reason) implements TransferEvent {}

  /**
   * Every wanted chunk of {@code root} is verified. The session has let the fetch go; the driver
   * makes it durable, records it complete, then calls {@link TransferSession#onFetchFinished}.
   */
  record Completed(ChunkId root, FetchSession fetch) implements TransferEvent {}

  /**
   * {@code peer} asks which chunks of {@code root} this node holds, and no fetch of it runs here:
   * the driver answers from its store with a {@code HaveReply}.
   */
  record HaveQueried(NodeId peer, ChunkId root) implements TransferEvent {}

  /**
   * The fetch of {@code root} made no progress for too long ({@link StallPolicy}) and is dropped.
   */
  record Stalled(ChunkId root, StallPolicy.Verdict why) implements TransferEvent {}
}
