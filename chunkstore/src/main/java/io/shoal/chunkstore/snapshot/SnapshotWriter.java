package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkBatch;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.FastCdc;
import io.shoal.chunkstore.Progress;
import io.shoal.chunkstore.VerifiedChunk;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publishes a file or a directory tree as a snapshot: chunks the data stream with FastCDC, hashes
 * every chunk, writes the new ones to the store, builds the Merkle trees and the root, commits, and
 * records the snapshot in the catalog.
 *
 * <p>Chunking is parallel yet gives exactly the boundaries of a sequential pass. The stream is cut
 * into segments, and each worker chunks its segment speculatively as if a chunk started at the
 * segment's first byte. A sequential stitch then walks the true boundaries: where a true chunk
 * starts at a boundary the speculation also found, the speculation from there on is the truth
 * (boundaries depend only on the bytes after a chunk's start); elsewhere the stitch chunks for
 * itself until it meets the speculation again, which on real data takes a chunk or two. Hashing is
 * parallel per segment; writes happen in stream order on the calling thread.
 */
public final class SnapshotWriter {
  static final int SEGMENT_BYTES = 8 << 20;

  /** Commit durably this often, so a huge publication holds bounded state in its batch. */
  static final long COMMIT_EVERY_BYTES = 4L << 30;

  /** Segments hashed ahead of the writer. */
  private static final int HASH_AHEAD = 2;

  /**
   * The outcome of a publication.
   *
   * @param rootId the snapshot id
   * @param root the root
   * @param chunks chunks in the snapshot (data, index nodes, root)
   * @param newChunks chunks the store did not hold before
   * @param newBytes payload bytes of the new chunks
   * @param unchanged whether the content equals {@link PublishRequest#previous()}'s, so that
   *     snapshot is the result and no version was made
   */
  public record Result(
      ChunkId rootId,
      SnapshotRoot root,
      long chunks,
      long newChunks,
      long newBytes,
      boolean unchanged) {}

  private SnapshotWriter() {}

  /**
   * Publishes {@code source} (a regular file or a directory) as {@code request.name()} at {@code
   * request.version()}.
   *
   * @param progress told the data stream's length, then the bytes processed after each segment
   * @throws IllegalArgumentException when the catalog already holds that name and version
   */
  public static Result publish(
      ChunkStore store, Path source, PublishRequest request, Progress progress) throws IOException {
    SourceScanner.Scan scan = SourceScanner.scan(source);
    FileTable table = FileTable.of(scan.entries());
    List<FileEntry> regular = table.entries().stream().filter(e -> !e.directory()).toList();
    return publish(
        store,
        table,
        scan.singleFile(),
        StreamSource.ofFiles(scan.files(), regular),
        request,
        progress);
  }

  /** Publishes one file, held in memory, named {@code fileName}. */
  public static Result publishBytes(
      ChunkStore store, String fileName, byte[] bytes, PublishRequest request) throws IOException {
    FileTable table = FileTable.of(List.of(new FileEntry(fileName, false, 0644, bytes.length, 0)));
    return publish(store, table, true, StreamSource.ofBytes(bytes), request, Progress.none());
  }

  private static Result publish(
      ChunkStore store,
      FileTable table,
      boolean singleFile,
      StreamSource data,
      PublishRequest request,
      Progress progress)
      throws IOException {
    if (store.catalog().get(request.name(), request.version()).isPresent()) {
      throw new IllegalArgumentException(
          "the catalog already holds " + request.name() + "@" + request.version());
    }
    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            request.threads(),
            r -> {
              Thread t = new Thread(r, "shoal-publish-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try (ChunkBatch batch = store.newBatch()) {
      Pipeline pipeline = new Pipeline(request, batch, pool);
      progress.begin(data.size());
      TreeRef dataTree = pipeline.run(data, progress);
      TreeRef tableTree = pipeline.run(StreamSource.ofBytes(table.encode()), Progress.none());
      Optional<SnapshotRoot> same = sameContent(store, request, singleFile, dataTree, tableTree);
      if (same.isPresent()) {
        batch.commit();
        return pipeline.result(request.previous(), same.get(), true);
      }
      FastCdc c = request.chunker();
      SnapshotRoot root =
          new SnapshotRoot(
              request.name(),
              request.version(),
              request.algorithm(),
              singleFile,
              request.publisher(),
              request.createdMillis(),
              dataTree,
              tableTree,
              table.size(),
              c.minBytes(),
              c.avgBytes(),
              c.maxBytes());
      VerifiedChunk rootChunk = VerifiedChunk.hash(request.algorithm(), root.encode());
      pipeline.count(batch.add(rootChunk), rootChunk.length());
      batch.commit();
      store
          .catalog()
          .put(
              new CatalogEntry(
                  request.name(),
                  request.version(),
                  rootChunk.id(),
                  true,
                  dataTree.sizeBytes(),
                  request.createdMillis()));
      return pipeline.result(rootChunk.id(), root, false);
    } finally {
      pool.shutdownNow();
    }
  }

  /** The previous snapshot of the request, if it holds exactly this content. */
  private static Optional<SnapshotRoot> sameContent(
      ChunkStore store,
      PublishRequest request,
      boolean singleFile,
      TreeRef dataTree,
      TreeRef tableTree)
      throws IOException {
    if (request.previous() == null) {
      return Optional.empty();
    }
    SnapshotRoot previous = new SnapshotReader(store).root(request.previous());
    boolean same =
        previous.data().equals(dataTree)
            && previous.fileTable().equals(tableTree)
            && previous.singleFile() == singleFile
            && previous.algorithm() == request.algorithm();
    return same ? Optional.of(previous) : Optional.empty();
  }

  /** One segment of the stream and what the stages learned about it. */
  private static final class Segment {
    final long start;

    /** Bytes of the stream that belong to this segment; the buffer holds more, up to max. */
    final int ownBytes;

    final ByteBuffer buffer;
    int[] speculativeEnds = new int[0];
    int speculativeCount;
    int[] offsets = new int[64];
    int[] lengths = new int[64];
    int count;
    VerifiedChunk[] chunks;

    Segment(long start, int ownBytes, ByteBuffer buffer) {
      this.start = start;
      this.ownBytes = ownBytes;
      this.buffer = buffer;
    }

    void addChunk(int offset, int length) {
      if (count == offsets.length) {
        offsets = Arrays.copyOf(offsets, count * 2);
        lengths = Arrays.copyOf(lengths, count * 2);
      }
      offsets[count] = offset;
      lengths[count] = length;
      count++;
    }
  }

  /** Runs streams through chunk, stitch, hash and write; one per publication. */
  private static final class Pipeline {
    private final PublishRequest request;
    private final FastCdc chunker;
    private final ChunkBatch batch;
    private final ExecutorService pool;
    private long chunks;
    private long sinceCommit;

    Pipeline(PublishRequest request, ChunkBatch batch, ExecutorService pool) {
      this.request = request;
      this.chunker = request.chunker();
      this.batch = batch;
      this.pool = pool;
    }

    Result result(ChunkId rootId, SnapshotRoot root, boolean unchanged) {
      return new Result(rootId, root, chunks, batch.addedChunks(), batch.addedBytes(), unchanged);
    }

    void count(boolean added, long length) throws IOException {
      chunks++;
      sinceCommit += added ? length : 0;
      if (sinceCommit >= COMMIT_EVERY_BYTES) {
        batch.commit();
        sinceCommit = 0;
      }
    }

    TreeRef run(StreamSource source, Progress progress) throws IOException {
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
      int readAhead = request.threads() + 1;
      ArrayDeque<CompletableFuture<Segment>> reading = new ArrayDeque<>();
      ArrayDeque<CompletableFuture<Segment>> hashing = new ArrayDeque<>();
      int nextToRead = 0;
      long truePosition = 0;
      try {
        for (int k = 0; k < segments; k++) {
          while (nextToRead < segments && nextToRead <= k + readAhead) {
            reading.add(readAndChunk(source, nextToRead++, total));
          }
          Segment s = join(reading.poll());
          truePosition = stitch(s, truePosition);
          hashing.add(CompletableFuture.supplyAsync(() -> hash(s), pool));
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

    private CompletableFuture<Segment> readAndChunk(StreamSource source, int k, long total) {
      long start = (long) k * SEGMENT_BYTES;
      int own = (int) Math.min(SEGMENT_BYTES, total - start);
      int held = (int) Math.min((long) own + chunker.maxBytes(), total - start);
      return CompletableFuture.supplyAsync(
          () -> {
            ByteBuffer buffer = DirectBuffers.take(SEGMENT_BYTES + chunker.maxBytes());
            Segment s = new Segment(start, own, buffer);
            try {
              buffer.limit(held);
              source.read(start, buffer);
              buffer.flip();
            } catch (IOException e) {
              DirectBuffers.give(buffer);
              throw new UncheckedIOException(e);
            }
            int[] ends = new int[own / chunker.minBytes() + 2];
            int n = 0;
            for (int at = 0; at < own; ) {
              at += chunker.nextChunkLength(buffer, at, held - at);
              ends[n++] = at;
            }
            s.speculativeEnds = ends;
            s.speculativeCount = n;
            return s;
          },
          pool);
    }

    /** Finds the true chunks that start in the segment, given where the true chunking is. */
    private long stitch(Segment s, long truePosition) {
      int held = s.buffer.limit();
      int at = (int) (truePosition - s.start);
      while (at < s.ownBytes) {
        int end = speculativeEnd(s, at);
        int length = end > 0 ? end - at : chunker.nextChunkLength(s.buffer, at, held - at);
        s.addChunk(at, length);
        at += length;
      }
      return s.start + at;
    }

    /** The end of the speculative chunk that starts at {@code at}, or -1 if none does. */
    private static int speculativeEnd(Segment s, int at) {
      int[] ends = s.speculativeEnds;
      if (at == 0) {
        return s.speculativeCount > 0 ? ends[0] : -1;
      }
      int j = Arrays.binarySearch(ends, 0, s.speculativeCount, at);
      return j >= 0 && j + 1 < s.speculativeCount ? ends[j + 1] : -1;
    }

    private Segment hash(Segment s) {
      s.chunks = new VerifiedChunk[s.count];
      for (int i = 0; i < s.count; i++) {
        ByteBuffer slice = s.buffer.duplicate();
        slice.position(s.offsets[i]).limit(s.offsets[i] + s.lengths[i]);
        s.chunks[i] = VerifiedChunk.hash(request.algorithm(), slice);
      }
      return s;
    }

    private void write(Segment s, TreeBuilder tree, Progress progress) throws IOException {
      try {
        long before = batch.addedBytes();
        batch.addAll(Arrays.asList(s.chunks));
        chunks += s.chunks.length;
        sinceCommit += batch.addedBytes() - before;
        for (VerifiedChunk c : s.chunks) {
          tree.add(c.id(), c.length());
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
