package io.shoal.node;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.chunkstore.snapshot.FileTable;
import io.shoal.chunkstore.snapshot.Materializer;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Where a one-shot fetch writes the snapshot's data chunks as they arrive, verified, straight into
 * the files being materialized rather than into the store and then out again: half the writes,
 * which is most of the cost of a fetch on a fast link. Metadata still goes to the store (the
 * planner walks it), so the store ends up holding the snapshot's index but not its data, and such a
 * fetch is never recorded in the catalog.
 *
 * <p>Thread-safe: chunks are written from the I/O threads, the target is opened and committed on
 * workers.
 */
final class DirectOutput implements AutoCloseable {
  private final Path destination;
  private final Materializer.Options options;
  private final Map<ChunkId, Placement> placements = new ConcurrentHashMap<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile Materializer.Target target;
  private boolean closed;

  /**
   * The data-stream offsets of one chunk, and whether it has been written there (guarded by the
   * placement's monitor, held while writing).
   */
  private static final class Placement {
    final long[] offsets;
    boolean written;

    Placement(List<Long> offsets) {
      this.offsets = offsets.stream().mapToLong(Long::longValue).toArray();
    }
  }

  DirectOutput(Path destination, Materializer.Options options) {
    this.destination = destination;
    this.options = options;
  }

  Path destination() {
    return destination;
  }

  /** The files written; the fetch moves only their data. */
  FileSelection selection() {
    return options.selection();
  }

  boolean isOpen() {
    return target != null;
  }

  /**
   * Opens the target once the snapshot's layout is known: checks paths, fails if it exists.
   *
   * @return what of the snapshot the target takes
   */
  FileSelection.Selected open(SnapshotRoot root, FileTable table) throws IOException {
    lock.writeLock().lock();
    try {
      if (closed) {
        throw new IOException("the fetch into " + destination + " was abandoned");
      }
      if (target == null) {
        target = Materializer.open(root, table, destination, options);
      }
      return target.selected();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Says where a data chunk the fetch will ask for goes; before its request is sent. */
  void place(ChunkId id, List<Long> offsets) {
    placements.put(id, new Placement(offsets));
  }

  /** Whether {@code id} is a data chunk this output places. */
  boolean places(ChunkId id) {
    return placements.containsKey(id);
  }

  /**
   * Writes a verified data chunk at each of its offsets, once: a duplicate (the endgame asks twice)
   * is not written again, but returns only once the first copy is written. Its reply counts the
   * chunk done as much as the first's, so returning earlier let a fetch finish, and check its
   * files, while the first copy was still being written ("... is missing N bytes").
   */
  void write(ChunkId id, ByteBuffer bytes) throws IOException {
    Placement p = placements.get(id);
    if (p == null) {
      return;
    }
    synchronized (p) {
      if (p.written) {
        return;
      }
      for (long offset : p.offsets) {
        writeAt(offset, bytes.duplicate());
      }
      p.written = true;
    }
  }

  /** Writes a chunk the store already held (the fetch does not ask for it). */
  void writeAt(long offset, ByteBuffer bytes) throws IOException {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IOException("the fetch into " + destination + " was abandoned");
      }
      target.write(offset, bytes);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Checks every byte arrived, makes it durable if asked and moves it into place. */
  Materializer.Result commit() throws IOException {
    return target.commit();
  }

  /** Removes whatever was written unless committed. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closed = true;
      Materializer.Target t = target;
      if (t != null) {
        t.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
