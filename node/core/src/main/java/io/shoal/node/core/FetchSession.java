package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One snapshot being fetched inside a {@link TransferSession}: its {@link FetchCore}, the peers
 * chosen for it, the data chunks this node holds of it (its have bitmap) and the peers interested
 * in hearing about them. Read by drivers for progress; changed by the session alone.
 */
public final class FetchSession {
  final ChunkId root;
  final FetchCore core;

  /** Whether this node keeps the data to serve it (a direct fetch writes it elsewhere). */
  final boolean servesData;

  final Set<NodeId> knownPeers = new HashSet<>();

  /** Complete holders among the chosen peers (never swapped out). */
  final Set<NodeId> completePeers = new HashSet<>();

  final Set<NodeId> servingPeers = new HashSet<>();
  final TreeSet<NodeId> interested = new TreeSet<>();

  /** Data chunk indexes this node holds. */
  final BitSet have = new BitSet();

  BitSet newSinceUpdate = new BitSet();

  /** The data chunk indexes of each wanted data chunk. */
  final Map<ChunkId, int[]> leavesById = new HashMap<>();

  int totalLeaves;
  boolean dataPlanned;
  boolean peersDirty = true;

  /** Partial holders the directory had shown when peers were last refreshed. */
  int arrivalsAtRefresh;

  /** How far this fetch has looked through the holders that became visible, in order. */
  int arrivalsSeen;

  long chunksFetched;
  long lastDoneBytes;
  long lastProgressNanos;

  FetchSession(ChunkId root, FetchCore core, boolean servesData, long nowNanos) {
    this.root = root;
    this.core = core;
    this.servesData = servesData;
    this.lastProgressNanos = nowNanos;
  }

  /**
   * Most peers told of a fetch's progress (have updates); past it a peer's query is answered once.
   */
  static final int MAX_INTERESTED_PER_FETCH = 4096;

  /** These chunks became visible in the store: held from now, and owed to interested peers. */
  void onChunksVisible(Collection<ChunkId> ids) {
    for (ChunkId id : ids) {
      int[] leaves = leavesById.get(id);
      if (leaves != null) {
        for (int leaf : leaves) {
          have.set(leaf);
          newSinceUpdate.set(leaf);
        }
      }
    }
  }

  /** {@code peer} asks what this node holds: it hears of progress from now (up to the bound). */
  ChunkBitmap haveFor(NodeId peer) {
    if (interested.size() < MAX_INTERESTED_PER_FETCH) {
      interested.add(peer);
    }
    return dataPlanned && servesData ? ChunkBitmap.of(have, totalLeaves) : ChunkBitmap.empty();
  }

  /** The data chunks held since the last update, to announce; null when none or none to send. */
  ChunkBitmap takeHaveUpdate() {
    if (newSinceUpdate.isEmpty() || !dataPlanned || !servesData) {
      return null;
    }
    ChunkBitmap added = ChunkBitmap.of(newSinceUpdate, totalLeaves);
    newSinceUpdate = new BitSet();
    return added;
  }

  /** Notes progress at {@code nowNanos}; whether to go on, by {@link StallPolicy}. */
  StallPolicy.Verdict progress(long nowNanos) {
    if (core.doneBytes() != lastDoneBytes || core.remainingChunks() == 0) {
      lastDoneBytes = core.doneBytes();
      lastProgressNanos = nowNanos;
      return StallPolicy.Verdict.GO_ON;
    }
    return StallPolicy.check(nowNanos - lastProgressNanos, core.activePeers());
  }

  /** Takes the data plan: the have bitmap so far, and the data chunks to fetch. */
  void applyPlan(TransferSession.DataPlan data, long nowNanos) {
    dataPlanned = true;
    totalLeaves = data.totalLeaves();
    have.or(data.have());
    Map<ChunkId, List<Integer>> leaves = new HashMap<>();
    for (FetchCore.Wanted w : data.missing()) {
      leaves.computeIfAbsent(w.id(), k -> new ArrayList<>()).add(w.leafIndex());
    }
    leaves.forEach((id, l) -> leavesById.put(id, l.stream().mapToInt(Integer::intValue).toArray()));
    core.addWanted(data.missing(), data.totalLeaves(), nowNanos);
    core.onPlanComplete(nowNanos);
  }

  public ChunkId root() {
    return root;
  }

  /** Bytes of data chunks wanted in all. */
  public long totalBytes() {
    return core.totalBytes();
  }

  /** Bytes of data chunks verified so far. */
  public long doneBytes() {
    return core.doneBytes();
  }

  /** Chunk bytes received, duplicates and failures included. */
  public long bytesReceived() {
    return core.bytesReceived();
  }

  /** Chunks wanted but not yet verified. */
  public int remainingChunks() {
    return core.remainingChunks();
  }

  /** Peers currently usable (not banned). */
  public int activePeers() {
    return core.activePeers();
  }

  public List<NodeId> bannedPeers() {
    return core.bannedPeers();
  }

  /** Verified chunks received. */
  public long chunksFetched() {
    return chunksFetched;
  }

  /** Peers that delivered at least one verified chunk. */
  public int servingPeers() {
    return servingPeers.size();
  }

  /** Whether the data chunks are planned (the metadata is all here). */
  public boolean isDataPlanned() {
    return dataPlanned;
  }
}
