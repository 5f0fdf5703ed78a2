package io.shoal.node;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.chunkstore.snapshot.FileTable;
import io.shoal.chunkstore.snapshot.Materializer;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Where a one-shot fetch writes the snapshot's data chunks as they arrive, verified, straight into
 * the files being materialized rather than into the store and then out again: half the writes,
 * which is most of the cost of a fetch on a fast link. Metadata still goes to the store (the
 * planner walks it), so the store ends up holding the snapshot's index but not its data, and such a
 * fetch is never recorded in the catalog.
 *
 * <p>A restore uses one as a mirror instead ({@link TransferService#fetchMirrored}): the store
 * keeps every chunk as for any fetch, so the node seeds the version, and the mirror gets a copy of
 * each as it arrives, so the files are written while the fetch runs rather than read out of the
 * store after it. What the mirror lacks at the end (chunks another fetch brought) is copied from
 * the store ({@link #fillFrom}). Given a writer, a mirror writes on it, behind a queue of at most
 * {@link #MIRROR_PENDING_BYTES}: a direct write waits for the device, and ext4 lets one such write
 * to a file run at a time, so verifiers that wrote it themselves queued on the file instead of
 * verifying (a profile of the example's restore had each of four verifiers queued there nearly half
 * of the fetch).
 *
 * <p>Thread-safe: chunks are written from the I/O threads, the target is opened and committed on
 * workers.
 */
final class DirectOutput implements AutoCloseable {
  /** Bytes a mirror holds for its writer at most; past them {@link #mirror} writes itself. */
  static final long MIRROR_PENDING_BYTES = 64L << 20;

  private final Path destination;
  private final Materializer.Options options;
  private final Executor mirrorWriter;

  /** Chunks handed to {@link #mirror}, waiting for the writer; guarded by itself. */
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();

  private long pendingBytes;
  private boolean draining;
  private boolean abandoned;
  private final Map<ChunkId, Placement> placements = new ConcurrentHashMap<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile Materializer.Target target;
  private volatile IOException mirrorFailure;
  private final LongAdder mirrored = new LongAdder();
  private volatile CompletableFuture<Void> copied = CompletableFuture.completedFuture(null);
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

  /** A chunk waiting for the mirror's writer; {@code release} frees its bytes once written. */
  private record Pending(ChunkId id, ByteBuffer bytes, int size, Runnable release) {}

  /** An output whose mirror writes on the thread that hands it a chunk. */
  DirectOutput(Path destination, Materializer.Options options) {
    this(destination, options, null);
  }

  /**
   * @param mirrorWriter where a mirror writes what arrives (null: on the caller); a refusal makes
   *     the caller write instead
   */
  DirectOutput(Path destination, Materializer.Options options, Executor mirrorWriter) {
    this.destination = destination;
    this.options = options;
    this.mirrorWriter = mirrorWriter;
  }

  Path destination() {
    return destination;
  }

  /** Data chunks written or copied from the store at open, at all their offsets; never placed. */
  private final Set<ChunkId> fromStore = ConcurrentHashMap.newKeySet();

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

  /**
   * Says where a data chunk the fetch will ask for goes; before its request is sent. A chunk this
   * output already takes from the store ({@link #copyHeld}, {@link #writeFromStore}) is not placed:
   * the store can gain a chunk between the fetch's plan and the opening of this output (another
   * fetch stored it), and placing it too would write it twice ("... is missing -N bytes").
   */
  void place(ChunkId id, List<Long> offsets) {
    if (!fromStore.contains(id)) {
      placements.put(id, new Placement(offsets));
    }
  }

  /** Writes data chunk {@code id}, read from the store, at {@code offset}; it is not placed. */
  void writeFromStore(long offset, ChunkId id, ByteBuffer bytes) throws IOException {
    fromStore.add(id);
    writeAt(offset, bytes);
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
   *
   * @return whether this call wrote it
   */
  boolean write(ChunkId id, ByteBuffer bytes) throws IOException {
    return writeOnce(id, () -> bytes);
  }

  /** Where a placed chunk's bytes come from, read only when it is not written yet. */
  @FunctionalInterface
  private interface ChunkBytes {
    ByteBuffer get() throws IOException;
  }

  private boolean writeOnce(ChunkId id, ChunkBytes bytes) throws IOException {
    Placement p = placements.get(id);
    if (p == null) {
      return false;
    }
    synchronized (p) {
      if (p.written) {
        return false;
      }
      ByteBuffer b = bytes.get();
      for (long offset : p.offsets) {
        writeAt(offset, b.duplicate());
      }
      p.written = true;
      return true;
    }
  }

  /**
   * As {@link #write}, for a mirror: a failure is kept for {@link #fillFrom} to throw, and the
   * mirror takes nothing more, while the store fetch it rides on goes on. With a writer, queues the
   * chunk for it and returns; {@code release} runs once the bytes are no longer needed, perhaps on
   * the writer's thread, and the bytes must stay unchanged until then.
   */
  void mirror(ChunkId id, ByteBuffer bytes, Runnable release) {
    if (mirrorFailure != null || target == null || !places(id)) {
      release.run(); // not opened yet (it joined a fetch being planned): filled from the store
      return;
    }
    if (mirrorWriter != null && queued(new Pending(id, bytes, bytes.remaining(), release))) {
      return;
    }
    try {
      writeMirrored(id, bytes);
    } finally {
      release.run();
    }
  }

  /** As {@link #mirror}, for bytes nobody frees. */
  void mirror(ChunkId id, ByteBuffer bytes) {
    mirror(id, bytes, () -> {});
  }

  private void writeMirrored(ChunkId id, ByteBuffer bytes) {
    try {
      if (write(id, bytes)) {
        mirrored.add((long) bytes.remaining() * placements.get(id).offsets.length);
      }
    } catch (IOException e) {
      if (mirrorFailure == null) {
        mirrorFailure = e;
      }
    }
  }

  /** Queues {@code p} for the writer, started unless it runs; false when the queue is full. */
  private boolean queued(Pending p) {
    synchronized (pending) {
      if (abandoned) {
        p.release().run();
        return true;
      }
      if (!pending.isEmpty() && pendingBytes + p.size() > MIRROR_PENDING_BYTES) {
        return false;
      }
      pending.add(p);
      pendingBytes += p.size();
      if (draining) {
        return true;
      }
      draining = true;
    }
    try {
      mirrorWriter.execute(new MirrorWrites());
    } catch (RejectedExecutionException e) {
      drain(false); // the writer refuses (full): write here rather than hold them
    }
    return true;
  }

  /** The writer's task. When the node stops before it runs, {@link #abandon} frees what waits. */
  final class MirrorWrites implements Runnable {
    @Override
    public void run() {
      drain(false);
    }

    void abandon() {
      drain(true);
    }
  }

  /** Writes what is queued, in order, until nothing is; {@code discard}: frees it unwritten. */
  private void drain(boolean discard) {
    while (true) {
      Pending p;
      boolean skip;
      synchronized (pending) {
        p = pending.peek();
        if (p == null) {
          draining = false;
          pending.notifyAll();
          return;
        }
        skip = discard || abandoned;
      }
      try {
        if (!skip && mirrorFailure == null) {
          writeMirrored(p.id(), p.bytes());
        }
      } catch (RuntimeException e) {
        // Kept, not thrown: a writer that left the loop would leave fillFrom waiting for ever.
        failMirror(new IOException("cannot write into " + destination + ": " + e, e));
      } finally {
        p.release().run();
        synchronized (pending) {
          pending.poll();
          pendingBytes -= p.size();
        }
      }
    }
  }

  /** Waits until the writer has written everything queued. */
  private void awaitMirrorWriter() throws InterruptedIOException {
    synchronized (pending) {
      while (draining) {
        try {
          pending.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted waiting for the mirror of " + destination);
        }
      }
    }
  }

  /** Bytes {@link #mirror} wrote as they arrived (a chunk counted at each of its offsets). */
  long mirroredBytes() {
    return mirrored.sum();
  }

  /**
   * Writes the chunks this output places and has not written yet, read from {@code store}: the
   * mirror of a fetch now held, whose missing chunks reached the store by another fetch. Worker.
   *
   * @return false when the output was never opened (no fetch wrote to it), so nothing was written
   * @throws IOException the mirror's first failure, or a chunk the store cannot give
   */
  boolean fillFrom(ChunkStore store) throws IOException {
    awaitMirrorWriter();
    if (mirrorFailure != null) {
      throw mirrorFailure;
    }
    if (target == null) {
      return false;
    }
    try {
      copied.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
    for (ChunkId id : placements.keySet()) {
      fill(store, id);
    }
    return true;
  }

  /**
   * Copies the selected data chunks of {@code root} that {@code held} names, which the store holds
   * and this output does not place, from the store on {@code worker} while the fetch runs, as a
   * materialization does (in stream order, on its own threads); {@link #fillFrom} waits for it. A
   * kept replica holds most of a new version: copying that first held the fetch back by seconds.
   * When the pool refuses the task, the copy is made on the calling thread rather than lost.
   */
  void copyHeld(SnapshotReader reader, SnapshotRoot root, Set<ChunkId> held, Executor worker) {
    if (held.isEmpty()) {
      return;
    }
    fromStore.addAll(held);
    Materializer.Target t = target;
    Runnable copy =
        () -> {
          try {
            Materializer.writeChunks(reader, root, t, held::contains);
          } catch (IOException e) {
            throw new CompletionException(e);
          }
        };
    try {
      copied = CompletableFuture.runAsync(copy, worker);
    } catch (RejectedExecutionException e) {
      copied = CompletableFuture.runAsync(copy, Runnable::run); // the pool is full: copy them here
    }
  }

  /** Writes placed chunk {@code id} from {@code store} unless written already. */
  private void fill(ChunkStore store, ChunkId id) throws IOException {
    writeOnce(id, () -> store.read(id));
  }

  /** The mirror could not be opened: it takes nothing, and {@link #fillFrom} throws {@code why}. */
  void failMirror(IOException why) {
    if (mirrorFailure == null) {
      mirrorFailure = why;
    }
  }

  /** Whether {@link #failMirror} or a failed {@link #mirror} write stopped this mirror. */
  boolean mirrorFailed() {
    return mirrorFailure != null;
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
    synchronized (pending) {
      abandoned = true; // the writer, if it runs, writes no more than the chunk it is at
      if (!draining) {
        pending.forEach(p -> p.release().run());
        pending.clear();
        pendingBytes = 0;
      }
    }
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
