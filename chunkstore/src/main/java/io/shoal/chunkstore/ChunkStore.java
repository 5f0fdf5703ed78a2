package io.shoal.chunkstore;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A content-addressed store of chunks plus the catalog of snapshots it holds.
 *
 * <p>Every chunk in a store hashes to its id: writes accept only {@link VerifiedChunk}s, and reads
 * check the bytes again before returning them. A chunk written with {@link ChunkBatch#commit()}
 * becomes visible (to {@link #contains} and reads) only after it is durable; one written with
 * {@link ChunkBatch#commitVisible()} (received, so it can be fetched again) is visible at once and
 * durable at the next barrier.
 *
 * <p>Implementations are thread-safe. Reads may block on disk I/O; call them off event loops.
 */
public interface ChunkStore extends Closeable {

  /** A store held in memory, for tests and the simulator, refusing writes past its capacity. */
  static ChunkStore inMemory(long capacityBytes) {
    return new MemoryChunkStore(capacityBytes);
  }

  /**
   * Whether {@code dir} holds a durable store (its marker file), so that a command that only reads
   * can refuse a directory that holds none instead of creating one there.
   */
  static boolean exists(Path dir) {
    return java.nio.file.Files.isRegularFile(dir.resolve(StoreMarker.MARKER_FILE));
  }

  /** Opens (creating if needed) the durable store in {@code dir} with default options. */
  static ChunkStore open(Path dir) throws IOException {
    return DiskChunkStore.open(dir, StoreOptions.defaults());
  }

  /** Opens (creating if needed) the durable store in {@code dir}. */
  static ChunkStore open(Path dir, StoreOptions options) throws IOException {
    return DiskChunkStore.open(dir, options);
  }

  boolean contains(ChunkId id);

  /** The payload length of the chunk, or -1 when the store does not hold it. */
  int length(ChunkId id);

  /**
   * Returns the chunk's bytes, verified against its id, as a read-only buffer.
   *
   * @throws ChunkNotFoundException when the store does not hold it
   * @throws CorruptChunkException when the stored bytes no longer match (the chunk is dropped)
   */
  ByteBuffer read(ChunkId id) throws IOException;

  /**
   * Reads the chunk into {@code dst} at its position, verifies it and advances the position by its
   * length. For bulk reads: bypasses the cache.
   *
   * @return the length
   * @throws IllegalArgumentException when {@code dst} has too little room
   */
  int readInto(ChunkId id, ByteBuffer dst) throws IOException;

  /** Stores one chunk durably; true when it was new. Prefer a batch for many chunks. */
  default boolean put(VerifiedChunk chunk) throws IOException {
    try (ChunkBatch batch = newBatch()) {
      boolean added = batch.add(chunk);
      batch.commit();
      return added;
    }
  }

  /** A new write batch; see {@link ChunkBatch}. */
  ChunkBatch newBatch();

  /** Makes every visible chunk durable (see {@link ChunkBatch#commitVisible()}). */
  default void sync() throws IOException {}

  /**
   * Why this store refuses writes, or empty while it accepts them. A disk store fails at its first
   * failed fsync ({@link StoreFailedException}) and stays failed until it is reopened.
   */
  default Optional<String> failure() {
    return Optional.empty();
  }

  /** The snapshots this store holds. */
  Catalog catalog();

  StoreStats stats();

  /** Calls the action for every visible id. The action must not call back into the store. */
  void forEachId(Consumer<ChunkId> action);

  /**
   * Removes every chunk for which {@code live} is false and reclaims their space. Waits for open
   * batches to close first.
   *
   * @return the payload bytes removed
   */
  long retainOnly(Predicate<ChunkId> live) throws IOException;

  /** Computes the chunks to keep; see {@link #retainReachable}. */
  @FunctionalInterface
  interface LiveChunks {
    Predicate<ChunkId> compute() throws IOException;
  }

  /**
   * As {@link #retainOnly}, with the chunks to keep computed once no batch is open and while none
   * can open. A live set computed earlier misses what a publication that committed meanwhile
   * reuses: a chunk it found in the store and did not write again.
   *
   * @return the payload bytes removed
   */
  default long retainReachable(LiveChunks live) throws IOException {
    return retainOnly(live.compute());
  }

  /** Where the chunk's bytes lie on disk, for zero-copy serving; empty when not on disk. */
  Optional<ChunkLocation> locate(ChunkId id);

  /** The store's directory, or empty for an in-memory store. */
  Optional<Path> directory();
}
