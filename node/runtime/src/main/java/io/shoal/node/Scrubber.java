package io.shoal.node;

import io.prometheus.metrics.core.metrics.Counter;
import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.StoreScrub;
import io.shoal.node.api.Verified;
import io.shoal.node.net.NodeMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrubs the store in the background: reads every chunk of every complete snapshot from disk at a
 * bounded rate and verifies it ({@link StoreScrub}). The store drops a damaged chunk as it reads it
 * (logging {@code chunk X is corrupt ...; dropped it so it can be fetched again}); the snapshot is
 * then recorded partial, announced so, and fetched again, which brings back exactly the dropped
 * chunks from the swarm.
 *
 * <p>{@link #verifyNow()} does one unpaced pass on demand ({@code POST /verify}, so that {@code
 * shoal verify} works while the node owns the store), over every snapshot, partial ones included,
 * and drops and refetches what is damaged the same way.
 *
 * <p>Owns two daemon threads, the pass's (the pacing sleeps there, never on a loop or a pool) and
 * the verify's ({@link ExclusiveWorker}: one verify at a time), stopped by {@link #close()} before
 * the store closes.
 */
final class Scrubber implements AutoCloseable {
  /** Default read rate of the scrub: low enough to leave the disk to transfers. */
  static final long DEFAULT_RATE_BYTES_PER_SECOND = 8L << 20;

  /** The first pass starts this long after the node. */
  static final long FIRST_PASS_DELAY_SECONDS = 60;

  /** A new pass starts this long after the previous one ended. */
  static final long PASS_PAUSE_SECONDS = 24 * 3600;

  /** When a client refused because a verify runs is told to try again: a pass reads every pack. */
  static final long VERIFY_RETRY_AFTER_SECONDS = 60;

  private static final Logger log = LoggerFactory.getLogger(Scrubber.class);

  private final ChunkStore store;
  private final SnapshotReader reader;
  private final TransferService transfers;
  private final Consumer<CatalogEntry> catalogChanged;
  private final long rateBytesPerSecond;
  private final Counter checkedBytes;
  private final Counter damagedChunks;
  private final ScheduledExecutorService timer;
  private final ExclusiveWorker verifier =
      new ExclusiveWorker(
          "shoal-verify",
          "a verify of the store is already running on this node; try again when it ends",
          VERIFY_RETRY_AFTER_SECONDS);
  private long passStartNanos;
  private long passBytes;

  /**
   * @param catalogChanged told of a snapshot recorded partial, to announce it
   * @param rateBytesPerSecond read rate; 0 disables scrubbing
   */
  Scrubber(
      ChunkStore store,
      TransferService transfers,
      Consumer<CatalogEntry> catalogChanged,
      NodeMetrics metrics,
      long rateBytesPerSecond) {
    this.store = store;
    this.reader = new SnapshotReader(store, 0);
    this.transfers = transfers;
    this.catalogChanged = catalogChanged;
    this.rateBytesPerSecond = rateBytesPerSecond;
    this.checkedBytes =
        Counter.builder()
            .name("shoal_scrub_checked_bytes_total")
            .help("Chunk bytes the background scrub read and verified")
            .register(metrics.registry());
    this.damagedChunks =
        Counter.builder()
            .name("shoal_scrub_damaged_chunks_total")
            .help(
                "Chunks the background scrub or a verify found damaged (each dropped and fetched"
                    + " again)")
            .register(metrics.registry());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "shoal-scrub");
              t.setDaemon(true);
              return t;
            });
    if (rateBytesPerSecond > 0) {
      timer.scheduleWithFixedDelay(
          this::passQuietly, FIRST_PASS_DELAY_SECONDS, PASS_PAUSE_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** Starts a pass now (after the running one, if any). */
  void scrubNow() {
    if (rateBytesPerSecond > 0 && !timer.isShutdown()) {
      timer.execute(this::passQuietly);
    }
  }

  /**
   * Verifies every chunk of every snapshot now, unpaced, on the verify thread; a snapshot that lost
   * chunks is recorded partial (if it was complete) and fetched again, as in a pass. Fails at once
   * with a {@link io.shoal.node.net.RetryLaterException} while another verify runs.
   */
  CompletableFuture<Verified> verifyNow() {
    return verifier.submit(this::verify);
  }

  private Verified verify() throws IOException {
    StoreScrub scrub = new StoreScrub(new SnapshotReader(store, 0), bytes -> stopIfClosed());
    List<StoreScrub.SnapshotReport> reports = new ArrayList<>();
    for (CatalogEntry e : store.catalog().entries()) {
      StoreScrub.SnapshotReport r = scrub.snapshot(e);
      reports.add(r);
      if (!r.damaged().isEmpty()) {
        damagedChunks.inc(r.damaged().size());
        refetch("verify", e, r.damaged().size());
      }
    }
    Verified v = Verified.of(reports);
    log.info(
        "verify: {} snapshot(s) checked, {} damaged chunk(s)", reports.size(), v.damagedChunks());
    return v;
  }

  private void stopIfClosed() {
    if (verifier.isClosed()) {
      throw new IllegalStateException("the node is stopping; verify stopped");
    }
  }

  private void passQuietly() {
    try {
      pass();
    } catch (IOException | RuntimeException e) {
      if (!timer.isShutdown()) {
        log.warn("scrub: the pass stopped early: {}", e.toString());
      }
    }
  }

  private void pass() throws IOException {
    passStartNanos = System.nanoTime();
    passBytes = 0;
    StoreScrub scrub = new StoreScrub(reader, this::pace);
    for (CatalogEntry e : store.catalog().entries()) {
      if (timer.isShutdown()) {
        return;
      }
      if (!e.complete()) {
        continue; // a fetch is bringing it; what it holds is verified on arrival
      }
      StoreScrub.SnapshotReport r = scrub.snapshot(e);
      if (!r.damaged().isEmpty()) {
        damagedChunks.inc(r.damaged().size());
        refetch("scrub", e, r.damaged().size());
      }
    }
  }

  /** Records {@code e} partial, so peers stop asking for what it lost, and fetches it again. */
  private void refetch(String what, CatalogEntry e, int damaged) throws IOException {
    CatalogEntry partial =
        new CatalogEntry(
            e.name(),
            e.version(),
            e.root(),
            false,
            e.sizeBytes(),
            e.createdMillis(),
            e.provenance());
    store.catalog().put(partial);
    catalogChanged.accept(partial);
    log.warn(
        "{}: {} lost {} damaged chunk(s); fetching them again from the swarm",
        what,
        e.label(),
        damaged);
    transfers
        .fetch(partial, FileSelection.all())
        .whenComplete(
            (res, err) -> {
              if (err != null) {
                log.warn("{}: refetching {} failed: {}", what, e.label(), err.getMessage());
              }
            });
  }

  /** Counts {@code bytes} read and sleeps as long as the pass is ahead of its rate. */
  private void pace(long bytes) {
    checkedBytes.inc(bytes);
    passBytes += bytes;
    long dueNanos = (long) (passBytes * 1e9 / rateBytesPerSecond);
    long aheadNanos = dueNanos - (System.nanoTime() - passStartNanos);
    if (aheadNanos > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(aheadNanos);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("scrub interrupted");
      }
    }
  }

  @Override
  public void close() {
    verifier.close();
    timer.shutdownNow();
    try {
      timer.awaitTermination(NodeThreads.LOOP_STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
