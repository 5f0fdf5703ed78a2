package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.node.core.FetchSession;
import io.shoal.node.core.RateMeter;
import io.shoal.node.core.StallPolicy;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the Netty driver tracks around one snapshot being fetched (the transfer session keeps the
 * fetch itself): the caller's future, the direct output, planning and finishing. Everything but the
 * volatile fields and the rate meter (under this object's lock) is confined to the transfer loop.
 */
final class FetchJob {
  final CatalogEntry target;
  final CompletableFuture<FetchResult> done = new CompletableFuture<>();

  /**
   * Where data chunks are written as they arrive, or null: instead of the store, or as well as the
   * store when {@link #tee}. Set once more when a restore's mirror joins a running store fetch
   * ({@link #attachMirror}).
   */
  volatile DirectOutput direct;

  /**
   * Whether the store keeps the data as well as {@link #direct} (a restore that the node then
   * seeds): the job is then a store fetch in every other respect.
   */
  volatile boolean tee;

  /**
   * Whether a restore's fetch ({@link #tee}) writes the data chunks its mirror takes only there,
   * and keeps them in the store once the files are in place ({@link FetchFinisher#keepRestored}):
   * the version stays partial here until then. Another caller that joins this fetch finds it so
   * when the fetch ends, and fetches again ({@link SnapshotResolver}). Set before any chunk is
   * placed.
   */
  volatile boolean keepAfter;

  /** Data chunks left out of the store for the restore to keep ({@link #keepAfter}). */
  final LongAdder deferred = new LongAdder();

  /** The files whose data is fetched; short of all, the snapshot stays partial here. */
  final FileSelection selection;

  /** Whether {@link #selection} took every file of the table (known once the metadata is here). */
  volatile boolean selectedWhole;

  final long startNanos;

  /** The sink's failed commits when the job started ({@link ChunkSink#failedCommits}). */
  final long failedCommitsAtStart;

  final Set<ChunkId> metadataIds = new HashSet<>();
  boolean planning;
  boolean replanWanted;
  volatile boolean dataPlanned;
  volatile boolean finishing;
  long createdMillis;

  /** Data bytes the store held when the data was planned (counted as done, not as throughput). */
  volatile long heldBytes;

  volatile long doneBytes;
  volatile long totalBytes;
  volatile int peers;
  private final RateMeter rate = new RateMeter();

  /** When {@link #doneBytes} last grew (at the start until it does): a stalled fetch's age. */
  volatile long lastProgressNanos;

  FetchJob(
      CatalogEntry target,
      DirectOutput direct,
      boolean tee,
      FileSelection selection,
      long nowNanos,
      long failedCommitsAtStart) {
    this.target = target;
    this.direct = direct;
    this.tee = direct != null && tee;
    this.selection = selection;
    this.startNanos = nowNanos;
    this.failedCommitsAtStart = failedCommitsAtStart;
    this.lastProgressNanos = nowNanos;
    this.createdMillis = target.createdMillis();
  }

  /**
   * Takes the bytes done (counting what was held) and peers from the session's fetch {@code f}, and
   * samples the rate, after an input, while the session runs it ({@code f} not null).
   */
  void progress(FetchSession f, long nowNanos) {
    if (f == null) {
      return;
    }
    long done = heldBytes + f.doneBytes();
    if (done > doneBytes) {
      lastProgressNanos = nowNanos;
    }
    doneBytes = done;
    peers = f.activePeers();
    measure(f, nowNanos);
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

  /** Samples the rate shown for the fetch, on the transfer loop after each input. */
  private synchronized void measure(FetchSession f, long nowNanos) {
    rate.sample(f.doneBytes(), nowNanos);
  }

  /** Why the fetch was given up, as its caller reads it. */
  String stalled(StallPolicy.Verdict why) {
    return why == StallPolicy.Verdict.NO_PEER
        ? "no reachable member holds " + target.label()
        : "no progress for " + StallPolicy.STALL_TIMEOUT_NANOS / 1_000_000_000L + " s";
  }

  /**
   * Makes {@code mirror} this store fetch's mirror from now on: chunks that arrive later are
   * written to it as well, or to it alone with {@code keepAfter} ({@link #keepAfter}). Any thread;
   * the job has no direct output.
   */
  void attachMirror(DirectOutput mirror, boolean keepAfter) {
    tee = true; // before the output: a reader that sees the output sees the store kept as well
    this.keepAfter = keepAfter; // before the output too: no chunk is placed without it
    direct = mirror;
  }

  /** Whether the store holds the whole snapshot once this fetch ends. */
  boolean fetchesWhole() {
    return selection.isAll() || selectedWhole;
  }

  /** Whether the data goes to the store (and so this node can serve it). */
  boolean keepsData() {
    return direct == null || tee;
  }

  /**
   * Why a second caller of this snapshot cannot share this fetch, or null when it can. A caller
   * that only wants the store filled can join a fetch that keeps its data.
   */
  String refusesToJoin(DirectOutput otherDirect, FileSelection otherSelection) {
    if (otherDirect != null || !keepsData()) {
      return target.label() + " is already being fetched";
    }
    return selection.equals(otherSelection)
        ? null
        : target.label()
            + " is already being fetched for other files ("
            + selection
            + "); try again when that fetch ends";
  }

  ChunkId root() {
    return target.root();
  }

  synchronized TransferView view(long nowNanos) {
    long done = doneBytes;
    long total = totalBytes;
    double bytesPerSecond = rate.bytesPerSecond(nowNanos);
    return new TransferView(
        target.name(),
        target.version(),
        target.root().toHex(),
        finishing ? TransferView.WRITING : dataPlanned ? TransferView.DATA : TransferView.METADATA,
        done,
        total,
        peers,
        bytesPerSecond,
        dataPlanned ? RateMeter.etaSeconds(total - done, bytesPerSecond) : -1,
        (nowNanos - startNanos) / 1e9);
  }
}
