package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkBatch;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FastCdc;
import io.shoal.chunkstore.Progress;
import io.shoal.chunkstore.VerifiedChunk;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the streams of one publication through read, chunk and hash (on a pool of worker threads)
 * and the stitch and write (on the calling thread), into one batch.
 *
 * <p>Chunking is parallel yet gives exactly the boundaries of a sequential pass. The stream is cut
 * into segments, and each worker reads its segment into a direct buffer and chunks it speculatively
 * as if a chunk started at the segment's first byte, hashing each chunk as soon as it is cut, while
 * its bytes are still in the CPU's cache. A sequential stitch then walks the true boundaries: where
 * a true chunk starts at a boundary the speculation also found, the speculation from there on is
 * the truth, hash included (boundaries depend only on the bytes after a chunk's start); elsewhere
 * the stitch chunks for itself until it meets the speculation again, which on real data takes a
 * chunk or two, and those few chunks are hashed on the pool. Each segment's chunks go to the store
 * with one gathering write, in stream order.
 *
 * <p>Owns its worker threads: {@link #close()} stops them and waits for them, also after a failure.
 * Every queue is bounded: at most {@link #readAhead} segments are read ahead and {@link
 * #HASH_AHEAD} hashed ahead of the write.
 */
final class PublishPipeline implements AutoCloseable {
  static final int SEGMENT_BYTES = 8 << 20;

  /** Commit durably this often, so a huge publication holds bounded state in its batch. */
  static final long COMMIT_EVERY_BYTES = 4L << 30;

  /** Segments waiting for their leftover hashing ahead of the writer. */
  private static final int HASH_AHEAD = 2;

  /** How long closing waits for a worker to finish the step it is in (a read, a chunk). */
  static final long STOP_WAIT_SECONDS = 30;

  private final PublishRequest request;
  private final FastCdc chunker;
  private final ChunkBatch batch;
  private final ThreadPoolExecutor pool;

  /** Segments read (and chunked, and hashed) ahead of the stitch. */
  private final int readAhead;

  private long chunks;
  private long reusedBytes;
  private long sinceCommit;

  /** The workers' threads, joined by {@link #close}; at most {@code request.threads()}. */
  private final Queue<Thread> threads = new ConcurrentLinkedQueue<>();

  PublishPipeline(PublishRequest request, FastCdc chunker, ChunkBatch batch) {
    this.request = request;
    this.chunker = chunker;
    this.batch = batch;
    this.readAhead = request.threads() + 1;
    AtomicInteger threadNumber = new AtomicInteger();
    // Room for every task run() can have outstanding: reads up to readAhead + 1, hashes up to
    // HASH_AHEAD + 1; a full queue would be a bug, refused rather than grown.
    this.pool =
        new ThreadPoolExecutor(
            request.threads(),
            request.threads(),
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(readAhead + HASH_AHEAD + 2),
            r -> {
              Thread t = new Thread(r, "shoal-publish-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              threads.add(t);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
  }

  /** One segment of the stream and what the stages learned about it. */
  private static final class Segment {
    final long start;

    /** Bytes of the stream that belong to this segment; the buffer holds more, up to max. */
    final int ownBytes;

    /** The segment's bytes; null while it is {@link #reused}. */
    ByteBuffer buffer;

    /**
     * Whether the segment is not read: the previous version's chunks cover it ({@link ReusePlan}).
     */
    boolean reused;

    /** End offsets of the speculative chunks, and those chunks, hashed. */
    int[] speculativeEnds = new int[0];

    VerifiedChunk[] speculative = new VerifiedChunk[0];
    int speculativeCount;

    /** The true chunks that start in this segment; null where the hash is still to be done. */
    int[] offsets = new int[64];

    int[] lengths = new int[64];
    VerifiedChunk[] chunks = new VerifiedChunk[64];

    /** For a reused segment, the ids of its chunks, which the store holds already. */
    ChunkId[] reusedIds = new ChunkId[64];

    int count;
    int unhashed;

    Segment(long start, int ownBytes, ByteBuffer buffer) {
      this.start = start;
      this.ownBytes = ownBytes;
      this.buffer = buffer;
      this.reused = buffer == null;
    }

    void addReused(int offset, int length, ChunkId id) {
      addChunk(offset, length, null);
      unhashed--;
      reusedIds[count - 1] = id;
    }

    void addChunk(int offset, int length, VerifiedChunk hashed) {
      if (count == offsets.length) {
        offsets = Arrays.copyOf(offsets, count * 2);
        lengths = Arrays.copyOf(lengths, count * 2);
        chunks = Arrays.copyOf(chunks, count * 2);
        reusedIds = Arrays.copyOf(reusedIds, count * 2);
      }
      offsets[count] = offset;
      lengths[count] = length;
      chunks[count] = hashed;
      unhashed += hashed == null ? 1 : 0;
      count++;
    }

    ByteBuffer slice(int offset, int length) {
      return buffer.duplicate().limit(offset + length).position(offset);
    }
  }

  long chunks() {
    return chunks;
  }

  /** Bytes of the stream taken from the previous version without reading them. */
  long reusedBytes() {
    return reusedBytes;
  }

  /** Counts a chunk written outside the stream (the root), committing as {@link #run} does. */
  void count(boolean added, long length) throws IOException {
    chunks++;
    sinceCommit += added ? length : 0;
    if (sinceCommit >= COMMIT_EVERY_BYTES) {
      batch.commit();
      sinceCommit = 0;
    }
  }

  /**
   * Chunks, hashes and writes the stream, taking the chunks {@code reuse} offers where the true
   * chunking meets them; returns its tree, whose nodes are written too.
   */
  TreeRef run(StreamSource source, ReusePlan reuse, Progress progress) throws IOException {
    TreeBuilder tree =
        new TreeBuilder(request.algorithm(), node -> count(batch.add(node), node.length()));
    long total = source.size();
    if (total == 0) {
      VerifiedChunk empty = VerifiedChunk.hash(request.algorithm(), new byte[0]);
      count(batch.add(empty), 0);
      tree.add(empty.id(), 0);
      return tree.finish();
    }
    int segments = (int) ((total + SEGMENT_BYTES - 1) / SEGMENT_BYTES);
    ArrayDeque<CompletableFuture<Segment>> reading = new ArrayDeque<>();
    ArrayDeque<CompletableFuture<Segment>> hashing = new ArrayDeque<>();
    int nextToRead = 0;
    long truePosition = 0;
    try {
      for (int k = 0; k < segments; k++) {
        while (nextToRead < segments && nextToRead <= k + readAhead) {
          reading.add(readChunkAndHash(source, reuse, nextToRead++, total));
        }
        Segment s = join(reading.poll());
        if (s.reused) {
          truePosition = stitchReused(s, truePosition, reuse, source, total);
        }
        if (!s.reused) {
          truePosition = stitch(s, truePosition);
        }
        hashing.add(
            s.unhashed == 0
                ? CompletableFuture.completedFuture(s)
                : CompletableFuture.supplyAsync(() -> hashLeftovers(s), pool));
        while (!hashing.isEmpty() && (hashing.peek().isDone() || hashing.size() > HASH_AHEAD)) {
          write(join(hashing.poll()), tree, progress);
        }
      }
      while (!hashing.isEmpty()) {
        write(join(hashing.poll()), tree, progress);
      }
    } finally {
      for (CompletableFuture<Segment> f : reading) {
        f.cancel(true);
      }
      for (CompletableFuture<Segment> f : hashing) {
        f.cancel(true);
      }
    }
    return tree.finish();
  }

  private CompletableFuture<Segment> readChunkAndHash(
      StreamSource source, ReusePlan reuse, int k, long total) {
    long start = (long) k * SEGMENT_BYTES;
    int own = (int) Math.min(SEGMENT_BYTES, total - start);
    if (reuse.covers(start, start + own)) {
      return CompletableFuture.completedFuture(new Segment(start, own, null));
    }
    return CompletableFuture.supplyAsync(
        () -> {
          Segment s = new Segment(start, own, read(source, start, own, total));
          // Every chunk but the stream's last is at least minBytes long.
          int held = s.buffer.limit();
          int[] ends = new int[own / chunker.minBytes() + 2];
          VerifiedChunk[] hashed = new VerifiedChunk[ends.length];
          int n = 0;
          for (int at = 0; at < own; ) {
            int length = chunker.nextChunkLength(s.buffer, at, held - at);
            hashed[n] = VerifiedChunk.hash(request.algorithm(), s.slice(at, length));
            at += length;
            ends[n++] = at;
          }
          s.speculativeEnds = ends;
          s.speculative = hashed;
          s.speculativeCount = n;
          return s;
        },
        pool);
  }

  /** The segment's bytes and up to a longest chunk after them, in a buffer of the pool. */
  private ByteBuffer read(StreamSource source, long start, int own, long total) {
    int held = (int) Math.min((long) own + chunker.maxBytes(), total - start);
    ByteBuffer buffer = DirectBuffers.take(SEGMENT_BYTES + chunker.maxBytes());
    try {
      buffer.limit(held);
      source.read(start, buffer);
      buffer.flip();
      return buffer;
    } catch (IOException e) {
      DirectBuffers.give(buffer);
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Takes the reused chunks that start in the segment while the true chunking meets them; where it
   * does not, reads the segment after all and leaves it to {@link #stitch}.
   */
  private long stitchReused(
      Segment s, long truePosition, ReusePlan reuse, StreamSource source, long total)
      throws IOException {
    long at = truePosition;
    long end = s.start + s.ownBytes;
    while (at < end) {
      int j = reuse.startingAt(at);
      if (j < 0) {
        try {
          s.buffer = read(source, s.start, s.ownBytes, total);
        } catch (UncheckedIOException e) {
          throw e.getCause();
        }
        s.reused = false;
        s.count = 0;
        s.unhashed = 0;
        return truePosition;
      }
      s.addReused((int) (at - s.start), reuse.length(j), reuse.id(j));
      at += reuse.length(j);
    }
    return at;
  }

  /** Finds the true chunks that start in the segment, given where the true chunking is. */
  private long stitch(Segment s, long truePosition) {
    int held = s.buffer.limit();
    int at = (int) (truePosition - s.start);
    while (at < s.ownBytes) {
      int j = speculativeIndex(s, at);
      if (j >= 0) {
        int length = s.speculativeEnds[j] - at;
        s.addChunk(at, length, s.speculative[j]);
        at += length;
      } else {
        int length = chunker.nextChunkLength(s.buffer, at, held - at);
        s.addChunk(at, length, null);
        at += length;
      }
    }
    return s.start + at;
  }

  /** The speculative chunk that starts at {@code at}, or -1 if none does. */
  private static int speculativeIndex(Segment s, int at) {
    if (at == 0) {
      return s.speculativeCount > 0 ? 0 : -1;
    }
    int j = Arrays.binarySearch(s.speculativeEnds, 0, s.speculativeCount, at);
    return j >= 0 && j + 1 < s.speculativeCount ? j + 1 : -1;
  }

  private Segment hashLeftovers(Segment s) {
    for (int i = 0; i < s.count; i++) {
      if (s.chunks[i] == null) {
        s.chunks[i] = VerifiedChunk.hash(request.algorithm(), s.slice(s.offsets[i], s.lengths[i]));
      }
    }
    s.unhashed = 0;
    return s;
  }

  private void write(Segment s, TreeBuilder tree, Progress progress) throws IOException {
    if (s.reused) {
      for (int i = 0; i < s.count; i++) {
        tree.add(s.reusedIds[i], s.lengths[i]);
      }
      chunks += s.count;
      reusedBytes += s.ownBytes;
      progress.advance(s.ownBytes);
      return;
    }
    try {
      long before = batch.addedBytes();
      batch.addAll(Arrays.asList(s.chunks).subList(0, s.count));
      chunks += s.count;
      sinceCommit += batch.addedBytes() - before;
      for (int i = 0; i < s.count; i++) {
        ChunkId id = s.chunks[i].id();
        tree.add(id, s.lengths[i]);
      }
      if (sinceCommit >= COMMIT_EVERY_BYTES) {
        batch.commit();
        sinceCommit = 0;
      }
    } finally {
      DirectBuffers.give(s.buffer);
    }
    progress.advance(s.ownBytes);
  }

  /**
   * Stops the workers, interrupting what they do, and waits until their threads have ended (the
   * pool counts as terminated a moment before its last thread does).
   */
  @Override
  public void close() throws IOException {
    pool.shutdownNow();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
      boolean stopped = pool.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
      for (Thread t : threads) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        stopped &= !t.isAlive();
      }
      if (!stopped) {
        throw new IOException(
            "publication workers did not stop within " + STOP_WAIT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while stopping publication workers");
    }
  }

  private static Segment join(CompletableFuture<Segment> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("publication interrupted");
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(cause);
    }
  }
}
