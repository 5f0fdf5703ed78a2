package io.shoal.node;

import io.prometheus.metrics.core.metrics.Counter;
import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.IoErrors;
import io.shoal.chunkstore.snapshot.RestoredFiles;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.FetchSession;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes what a fetch wrote durable and records it in the catalog, on a worker: the store is flushed
 * before the catalog says complete, a direct output that bypasses the store is committed (renamed
 * into place). A teed output is left to its owner ({@link LocalSnapshots}), which commits it once
 * the fetch is held: its failure is the restore's, not the fetch's. Also keeps the partial catalog
 * entry of a fetch whose data is planned.
 *
 * <p>A fetch that left data chunks to a restore's files ({@link FetchJob#keepAfter}) ends with the
 * version partial here; callers that joined it wait for the restore's keep ({@link #kept}) rather
 * than fetch that data from peers again.
 */
final class FetchFinisher {
  private static final Logger log = LoggerFactory.getLogger(FetchFinisher.class);

  /**
   * Longest a caller that joined a restore's fetch waits for the restore to keep the data it left
   * to its files ({@link #kept}); then it fetches what the store lacks. Keeping a GiB takes
   * seconds.
   */
  static final long KEEP_WAIT_SECONDS = 60;

  /** Hears how finishing ended, on a worker. */
  interface Finished {
    void onDurable(FetchJob job);

    void onFailed(FetchJob job, IOException why);
  }

  private final ChunkStore store;
  private final ChunkSink sink;
  private final Executor workers;
  private final Consumer<CatalogEntry> catalogChanged;
  private final Counter keptBytes;
  // Keeps to come, by snapshot root: one per fetch that left data to a restore's files, until that
  // restore ends or KEEP_WAIT_SECONDS pass.
  private final Map<ChunkId, CompletableFuture<Void>> keeps = new ConcurrentHashMap<>();

  /**
   * @param keptBytes counts the bytes {@link #keepRestored} keeps
   */
  FetchFinisher(
      ChunkStore store,
      ChunkSink sink,
      Executor workers,
      Consumer<CatalogEntry> catalogChanged,
      Counter keptBytes) {
    this.store = store;
    this.sink = sink;
    this.workers = workers;
    this.catalogChanged = catalogChanged;
    this.keptBytes = keptBytes;
  }

  /** Finishes {@code job}, once. */
  void finish(FetchJob job, Finished finished) {
    if (job.finishing) {
      return;
    }
    job.finishing = true;
    try {
      submitFinish(job, finished);
    } catch (RejectedExecutionException e) {
      finished.onFailed(
          job,
          new IOException("cannot finish " + job.target.label() + ": the transfer pool is full"));
    }
  }

  private void submitFinish(FetchJob job, Finished finished) {
    workers.execute(
        () -> {
          try {
            if (job.keepsData()) {
              sink.flush(); // durable before the catalog says complete
              if (sink.failedCommits() != job.failedCommitsAtStart) {
                throw new IOException(
                    "chunks received during the fetch could not be committed (see the log); fetch"
                        + " it again");
              }
              // A selection stays partial, and so does a restore's until it keeps its data.
              putCatalog(job.entry(job.fetchesWhole() && job.deferred.sum() == 0), true);
              if (job.deferred.sum() > 0) {
                keepToCome(job.root()); // before the fetch's callers hear that it ended
              }
            } else {
              job.direct.commit();
            }
          } catch (IOException e) {
            String where = job.keepsData() ? "the store" : job.direct.destination().toString();
            finished.onFailed(
                job,
                new IOException(
                    "cannot finish writing to " + where + ": " + IoErrors.describe(e), e));
            return;
          }
          finished.onDurable(job);
        });
  }

  /**
   * Keeps in the store, on a worker, the data chunks of {@code entry} that it lacks, read back from
   * {@code files} (a restore wrote them only there, {@link FetchJob#keepAfter}), and then records
   * {@code entry} complete, unless a file changed first: the node then fetches what it lacks when
   * it needs it. Closes {@code files} and runs {@code done} at the end, whatever happened.
   */
  void keepRestored(CatalogEntry entry, SnapshotReader reader, RestoredFiles files, Runnable done) {
    Runnable keep =
        () -> {
          try {
            keep(entry, reader, files);
          } finally {
            files.close();
            done.run();
          }
        };
    try {
      workers.execute(keep);
    } catch (RejectedExecutionException e) {
      files.close();
      done.run();
      log.warn("{} stays partial in the store: the transfer pool is full", entry.label());
    }
  }

  private void keep(CatalogEntry entry, SnapshotReader reader, RestoredFiles files) {
    long start = System.nanoTime();
    long failedAtStart = sink.failedCommits();
    RestoredFiles.Kept kept;
    try {
      SnapshotRoot root = reader.root(entry.root());
      kept = files.keep(reader, root, id -> !store.contains(id), sink::add);
      sink.flush();
    } catch (IOException | RuntimeException e) { // a file system error, or the node stopping
      log.warn(
          "keeping {} in the store failed: {}; it stays partial here",
          entry.label(),
          e instanceof IOException io ? IoErrors.describe(io) : e.toString());
      return;
    }
    if (sink.failedCommits() != failedAtStart) {
      log.warn(
          "{} stays partial in the store: the store could not commit what was read back from the"
              + " restored files",
          entry.label());
      return;
    }
    keptBytes.inc(kept.bytes()); // the unchanged chunks are kept even when some changed
    if (kept.changed() > 0) {
      log.warn(
          "{} stays partial in the store: {} of its chunks changed in the restored files before"
              + " they were kept",
          entry.label(),
          kept.changed());
      return;
    }
    putCatalog(entry.asComplete(), false);
    log.atLevel(LogLines.level(entry.name()))
        .log(
            "kept {} in the store from the restored files: {} bytes in {} chunks in {} s",
            entry.label(),
            kept.bytes(),
            kept.chunks(),
            String.format(Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9));
  }

  /** A restore will keep the data of {@code root} that its fetch left to the restore's files. */
  private void keepToCome(ChunkId root) {
    CompletableFuture<Void> keep = new CompletableFuture<>();
    if (keeps.putIfAbsent(root, keep) == null) {
      keep.orTimeout(KEEP_WAIT_SECONDS, TimeUnit.SECONDS)
          .whenComplete((v, e) -> keeps.remove(root, keep));
    }
  }

  /**
   * The restore that fetched {@code root} ended: it kept the data it left to its files, or gave up.
   * Any thread.
   */
  void keepEnded(ChunkId root) {
    CompletableFuture<Void> keep = keeps.get(root);
    if (keep != null) {
      keep.complete(null);
    }
  }

  /**
   * Completes, never exceptionally, when no restore is to keep data of {@code root} any more: at
   * once when none is, else when it ends ({@link #keepEnded}) or after {@link #KEEP_WAIT_SECONDS}.
   * On the thread that ends it.
   */
  CompletableFuture<Void> kept(ChunkId root) {
    CompletableFuture<Void> keep = keeps.get(root);
    return keep == null ? CompletableFuture.completedFuture(null) : keep.handle((v, e) -> null);
  }

  /** Records that the store holds part of {@code job}'s snapshot, on a worker. */
  void recordPartial(FetchJob job) {
    CatalogEntry partial = job.entry(false);
    try {
      workers.execute(() -> putCatalog(partial, true));
    } catch (RejectedExecutionException e) {
      // Only the partial entry is lost (counted): the fetch goes on, and records it complete.
    }
  }

  /** The result of a finished fetch, logged. */
  static FetchResult result(FetchJob job, FetchSession f, long nowNanos) {
    double seconds = (nowNanos - job.startNanos) / 1e9;
    FetchResult r =
        new FetchResult(
            job.target.name(),
            job.target.version(),
            job.root().toHex(),
            job.target.sizeBytes(),
            f.doneBytes(),
            f.bytesReceived(),
            f.chunksFetched(),
            seconds,
            f.servingPeers(),
            f.bannedPeers().stream().map(NodeId::toHex).toList());
    log.atLevel(LogLines.level(job.target.name()))
        .log(
            "fetched {}: {} bytes new in {} chunks from {} peers in {} s",
            job.target.label(),
            r.fetchedBytes(),
            r.chunksFetched(),
            r.peers(),
            String.format(Locale.ROOT, "%.2f", seconds));
    return r;
  }

  private void putCatalog(CatalogEntry entry, boolean onlyIfNotComplete) {
    try {
      var current = store.catalog().get(entry.name(), entry.version());
      if (onlyIfNotComplete
          && current.isPresent()
          && current.get().complete()
          && current.get().root().equals(entry.root())) {
        return;
      }
      store.catalog().put(entry);
      catalogChanged.accept(entry);
    } catch (IOException e) {
      log.warn("recording {} in the catalog failed: {}", entry.label(), e.getMessage());
    }
  }
}
