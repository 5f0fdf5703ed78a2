package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.ChunkBitmap;
import io.shoal.node.core.FetchCore;
import io.shoal.node.net.PeerLink;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One snapshot being fetched: its {@link FetchCore} and what the driver tracks around it.
 * Everything but the volatile fields is confined to the transfer loop.
 */
final class FetchJob {
  final CatalogEntry target;
  final FetchCore core;
  final CompletableFuture<FetchResult> done = new CompletableFuture<>();

  /** Where data chunks go when they bypass the store, or null. */
  final DirectOutput direct;

  final long startNanos;
  final Set<NodeId> knownPeers = new HashSet<>();
  final Set<NodeId> servingPeers = new HashSet<>();
  final Set<ChunkId> metadataIds = new HashSet<>();
  final Map<ChunkId, int[]> leavesById = new HashMap<>();
  final Map<NodeId, PeerLink> interested = new HashMap<>();
  BitSet have = new BitSet();
  BitSet newSinceUpdate = new BitSet();
  int totalLeaves;
  boolean planning;
  boolean replanWanted;
  boolean dataPlanned;
  boolean finishing;
  long chunksFetched;
  long lastProgressNanos;
  long lastDoneBytes;
  long createdMillis;

  volatile ChunkBitmap haveSnapshot = ChunkBitmap.empty();
  volatile long doneBytes;
  volatile long totalBytes;
  volatile int peers;
  volatile double bytesPerSecond;

  FetchJob(CatalogEntry target, FetchCore core, DirectOutput direct, long nowNanos) {
    this.target = target;
    this.core = core;
    this.direct = direct;
    this.startNanos = nowNanos;
    this.lastProgressNanos = nowNanos;
    this.createdMillis = target.createdMillis();
  }

  /** The catalog entry for this snapshot, partial or complete. */
  CatalogEntry entry(boolean complete) {
    return new CatalogEntry(
        target.name(),
        target.version(),
        target.root(),
        complete,
        target.sizeBytes(),
        createdMillis,
        target.provenance());
  }

  ChunkId root() {
    return target.root();
  }

  TransferView view() {
    return new TransferView(
        target.name(),
        target.version(),
        target.root().toHex(),
        doneBytes,
        totalBytes,
        peers,
        bytesPerSecond);
  }
}
