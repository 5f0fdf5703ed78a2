package io.shoal.node;

import io.shoal.chunkstore.ChunkBatch;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.VerifiedChunk;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes verified chunks from many threads into the store and exposes them in groups: every {@link
 * #COMMIT_INTERVAL_MILLIS} or {@link #COMMIT_BYTES} they become visible (readable, servable,
 * counted as held), without waiting for the disk, after which listeners learn their ids. They are
 * chunks that can be fetched again, so their durability can wait for the store's next barrier
 * ({@link #flush()}, which a finished fetch calls before it records the snapshot complete) or the
 * background writeback: a machine crash can cost some of them, never a corrupt chunk or a complete
 * snapshot with a hole. So a flush waits for a commit the committer has begun, and a commit that
 * fails is counted ({@link #failedCommits}): its chunks are lost, and a fetch that ran meanwhile
 * fails instead of being recorded complete. A batch is open only while chunks wait, so garbage
 * collection is not starved between transfers.
 *
 * <p>Thread-safe. The committer runs on the given scheduler, never on an event loop.
 */
final class ChunkSink implements AutoCloseable {
  static final long COMMIT_INTERVAL_MILLIS = 20;
  static final long COMMIT_BYTES = 64L << 20;

  private static final Logger log = LoggerFactory.getLogger(ChunkSink.class);

  private final ChunkStore store;
  private final ScheduledExecutorService committer;
  private final List<Consumer<List<ChunkId>>> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  // Held across taking a batch and committing it: a flush that finds no batch open waits for one a
  // commit took before it, so that what it returns to is visible and durable.
  private final Object commitLock = new Object();
  private final AtomicLong failedCommits = new AtomicLong();
  private ChunkBatch batch;
  private List<ChunkId> pendingIds = new ArrayList<>();
  private long pendingBytes;
  private boolean commitScheduled;
  private boolean closed;

  ChunkSink(ChunkStore store, ScheduledExecutorService committer) {
    this.store = store;
    this.committer = committer;
  }

  /**
   * Listeners hear, after each commit, the ids that became visible (durable only at the next {@link
   * #flush()}); on the committer thread.
   */
  void onCommit(Consumer<List<ChunkId>> listener) {
    listeners.add(listener);
  }

  /**
   * Writes the chunk (its buffer may be reused once this returns); visible at the next commit.
   * Never from an event loop: opening a batch waits while garbage collection compacts the store.
   */
  void add(VerifiedChunk chunk) throws IOException {
    boolean commitNow;
    synchronized (lock) {
      if (closed) {
        throw new IOException("the node is stopping");
      }
      if (batch == null) {
        batch = store.newBatch();
      }
      batch.add(chunk);
      pendingIds.add(chunk.id());
      pendingBytes += chunk.length();
      commitNow = pendingBytes >= COMMIT_BYTES;
      if (!commitScheduled || commitNow) {
        commitScheduled = true;
        committer.schedule(
            this::expose, commitNow ? 0 : COMMIT_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
      }
    }
  }

  /**
   * Makes everything written so far durable, from any thread but an event loop; waits for a commit
   * running on the committer. A chunk whose commit failed is not there: see {@link
   * #failedCommits()}.
   */
  void flush() throws IOException {
    commit(false); // visible: the commit lock is held for the index only, never for an fsync
    store.sync(); // the barrier that makes every visible chunk durable
  }

  /**
   * How many commits failed since the sink was made; each lost the chunks it held. A fetch that ran
   * while the count grew may lack chunks it received, and must not be recorded complete.
   */
  long failedCommits() {
    return failedCommits.get();
  }

  private void expose() {
    commit(false);
  }

  private void commit(boolean durable) {
    List<ChunkId> visible;
    synchronized (commitLock) {
      visible = commitTaken(durable);
    }
    if (visible == null) {
      return;
    }
    for (Consumer<List<ChunkId>> l : listeners) {
      try {
        l.accept(visible);
      } catch (RuntimeException e) {
        log.error("commit listener failed", e);
      }
    }
  }

  /** Takes the open batch and commits it; returns its ids, or null when none or it failed. */
  private List<ChunkId> commitTaken(boolean durable) {
    ChunkBatch toCommit;
    List<ChunkId> ids;
    synchronized (lock) {
      commitScheduled = false;
      toCommit = batch;
      ids = pendingIds;
      batch = null;
      pendingIds = new ArrayList<>();
      pendingBytes = 0;
    }
    if (toCommit == null) {
      return null;
    }
    try (toCommit) {
      if (durable) {
        toCommit.commit();
      } else {
        toCommit.commitVisible();
      }
      return ids;
    } catch (IOException e) {
      failedCommits.incrementAndGet();
      log.warn(
          "committing {} received chunks failed: {}; the fetches running now will not be recorded"
              + " complete",
          ids.size(),
          e.getMessage());
      return null;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
    commit(true);
  }

  /** Drops what waits for a commit, as a crash would (tests). */
  void abandon() {
    ChunkBatch dropped;
    synchronized (lock) {
      closed = true;
      dropped = batch;
      batch = null;
      pendingIds = new ArrayList<>();
    }
    if (dropped != null) {
      dropped.close();
    }
  }
}
