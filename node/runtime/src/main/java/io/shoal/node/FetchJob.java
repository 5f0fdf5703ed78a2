package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.node.core.FetchSession;
import io.shoal.node.core.StallPolicy;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What the Netty driver tracks around one snapshot being fetched (the transfer session keeps the
 * fetch itself): the caller's future, the direct output, planning and finishing. Everything but the
 * volatile fields is confined to the transfer loop.
 */
final class FetchJob {
  final CatalogEntry target;
  final CompletableFuture<FetchResult> done = new CompletableFuture<>();

  /** Where data chunks go when they bypass the store, or null. */
  final DirectOutput direct;

  final long startNanos;
  final Set<ChunkId> metadataIds = new HashSet<>();
  boolean planning;
  boolean replanWanted;
  boolean dataPlanned;
  boolean finishing;
  long createdMillis;

  volatile long doneBytes;
  volatile long totalBytes;
  volatile int peers;
  volatile double bytesPerSecond;

  /** When {@link #doneBytes} last grew (at the start until it does): a stalled fetch's age. */
  volatile long lastProgressNanos;

  FetchJob(CatalogEntry target, DirectOutput direct, long nowNanos) {
    this.target = target;
    this.direct = direct;
    this.startNanos = nowNanos;
    this.lastProgressNanos = nowNanos;
    this.createdMillis = target.createdMillis();
  }

  /**
   * Takes the bytes done and peers from the session's fetch {@code f}, after an input, while the
   * session runs it ({@code f} not null).
   */
  void progress(FetchSession f, long nowNanos) {
    if (f == null) {
      return;
    }
    if (f.doneBytes() > doneBytes) {
      lastProgressNanos = nowNanos;
    }
    doneBytes = f.doneBytes();
    peers = f.activePeers();
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

  /** Updates the rate shown for the fetch, while the session runs it ({@code f} not null). */
  void measure(FetchSession f, long nowNanos) {
    if (f != null) {
      double elapsed = (nowNanos - startNanos) / 1e9;
      bytesPerSecond = elapsed > 0 ? f.doneBytes() / elapsed : 0;
    }
  }

  /** Why the fetch was given up, as its caller reads it. */
  String stalled(StallPolicy.Verdict why) {
    return why == StallPolicy.Verdict.NO_PEER
        ? "no reachable member holds " + target.label()
        : "no progress for " + StallPolicy.STALL_TIMEOUT_NANOS / 1_000_000_000L + " s";
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
