package io.shoal.sim;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Outbound;
import io.shoal.node.core.PeerChoice;
import io.shoal.node.core.TransferMessage;
import java.util.List;

/** What a simulated node's driver asks of the simulation: the network, the directory, the books. */
interface World {
  void sendGossip(SimNode from, Outbound o);

  void sendTransfer(SimNode from, NodeId to, TransferMessage m);

  /** Whether node {@code n}'s link can take another chunk now. */
  boolean canSend(SimNode n);

  /**
   * Puts chunk {@code chunk} on the wire to {@code to}, with corrupted bytes if {@code corrupt}.
   */
  void sendChunk(SimNode from, NodeId to, long requestId, int chunk, boolean corrupt);

  SnapshotModel snapshot(ChunkId root);

  /** Node {@code n} published {@code s}: with real payloads, its store takes the chunks. */
  void storePublished(SimNode n, SnapshotModel s);

  ChunkUniverse chunks();

  /** Whether nodes follow every name. */
  boolean follow();

  /** The converged directory's holders of {@code root}, or null when gossip keeps directories. */
  List<PeerChoice.Candidate> convergedHolders(ChunkId root);

  /**
   * Partial holders of {@code root} in the order they became visible, for the converged directory;
   * null when gossip keeps directories.
   */
  List<NodeId> partialArrivals(ChunkId root);

  /** The zone node {@code id} is told, for the converged directory. */
  String zoneOf(NodeId id);

  /** Whether {@code id} is up, for the converged directory. */
  boolean isUp(NodeId id);

  /** A node's catalog changed (for the converged directory). */
  void catalogPut(SimNode n, SnapshotModel s, boolean complete);

  /** Node {@code n} learned that {@code root} wins its name. */
  void winnerLearned(SimNode n, ChunkId root, long nowNanos);

  void fetchCompleted(SimNode n, SnapshotModel s, long nowNanos);

  /** A node stored chunk {@code chunk}; {@code corrupt} if its bytes were bad (must never be). */
  void chunkStored(SimNode n, int chunk, boolean corrupt);

  void badChunk(SimNode n, NodeId from);

  void peerBanned(SimNode n, NodeId peer);

  /** Calls {@code n.onCommit} after {@code delayNanos}, unless it crashes first. */
  void commitAfter(SimNode n, long delayNanos);
}
