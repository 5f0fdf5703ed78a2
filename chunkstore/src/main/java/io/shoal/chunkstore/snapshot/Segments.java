package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.Progress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Runs of consecutive data chunks, each copied into the output on the pool once it reaches {@link
 * Materializer#SEGMENT_BYTES} or the run breaks, with at most twice the pool's threads in flight.
 */
final class Segments {
  private final SnapshotReader reader;
  private final Materializer.Target outputs;
  private final ExecutorService pool;
  private final Semaphore inFlight;
  private final Progress progress;
  private final List<Future<?>> pending = new ArrayList<>();
  private final List<ChunkId> ids = new ArrayList<>();
  private long start;
  private long bytes;

  Segments(
      SnapshotReader reader,
      Materializer.Target outputs,
      ExecutorService pool,
      Semaphore inFlight,
      Progress progress) {
    this.reader = reader;
    this.outputs = outputs;
    this.pool = pool;
    this.inFlight = inFlight;
    this.progress = progress;
  }

  void add(ChunkId id, long offset, int length) throws IOException {
    if (bytes > 0 && offset != start + bytes) {
      submit();
    }
    if (ids.isEmpty()) {
      start = offset;
    }
    ids.add(id);
    bytes += length;
    if (bytes >= Materializer.SEGMENT_BYTES) {
      submit();
    }
  }

  void submit() throws IOException {
    if (ids.isEmpty()) {
      return;
    }
    List<ChunkId> batch = List.copyOf(ids);
    long at = start;
    int length = (int) bytes;
    Materializer.acquire(inFlight);
    pending.add(
        pool.submit(
            () -> {
              try {
                copySegment(reader, batch, at, length, outputs);
                progress.advance(length);
                return null;
              } finally {
                inFlight.release();
              }
            }));
    ids.clear();
    bytes = 0;
    Materializer.reapDone(pending);
  }

  void awaitAll() throws IOException {
    for (Future<?> f : pending) {
      Materializer.await(f);
    }
  }

  private static void copySegment(
      SnapshotReader reader, List<ChunkId> ids, long start, int bytes, Materializer.Target outputs)
      throws IOException {
    ByteBuffer buffer = DirectBuffers.take(bytes);
    try {
      for (ChunkId id : ids) {
        reader.store().readInto(id, buffer);
      }
      if (buffer.hasRemaining()) {
        throw new FormatException("chunks of the data tree are shorter than their spans");
      }
      buffer.flip();
      outputs.write(start, buffer);
    } finally {
      DirectBuffers.give(buffer);
    }
  }
}
