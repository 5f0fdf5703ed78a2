package io.shoal.chunkstore;

import java.io.IOException;

/**
 * A group of chunk writes made durable and visible together by one {@link #commit()}: the way to
 * write many chunks at the cost of one fsync.
 *
 * <p>A batch is used by one thread at a time. Chunks added but not committed stay invisible;
 * closing an uncommitted batch abandons them. While any batch is open, garbage collection waits, so
 * a chunk that a batch skipped because the store already held it cannot be collected before the
 * batch commits.
 */
public interface ChunkBatch extends AutoCloseable {
  /**
   * Writes the chunk unless the store or this batch already holds it. The chunk's buffer may be
   * reused once this returns.
   *
   * @return true when the chunk was new
   * @throws StoreFullException when it does not fit; the store is unchanged
   */
  boolean add(VerifiedChunk chunk) throws IOException;

  /**
   * Writes each chunk the store and this batch do not hold yet, in order; the same as calling
   * {@link #add} for each, but a disk store writes them all with one system call.
   *
   * @return how many were new
   */
  default int addAll(java.util.List<VerifiedChunk> chunks) throws IOException {
    int added = 0;
    for (VerifiedChunk c : chunks) {
      added += add(c) ? 1 : 0;
    }
    return added;
  }

  /**
   * Makes every chunk added so far durable, then visible; also makes durable every chunk an earlier
   * {@link #commitVisible()} exposed. The batch may be used again.
   */
  void commit() throws IOException;

  /**
   * Makes every chunk added so far visible now and durable later, without waiting for the disk: for
   * chunks that can be fetched again (received from peers). They become durable at the store's next
   * barrier (a durable {@link #commit()} of any batch, a catalog change, a pack seal, {@link
   * ChunkStore#sync()}) or when background writeback reaches them. After a machine crash such a
   * chunk may be missing, never corrupt, and nothing durable can refer to it: every barrier makes
   * the visible chunks durable first. The batch may be used again.
   */
  default void commitVisible() throws IOException {
    commit();
  }

  /** Chunks this batch wrote (not counting those the store already held). */
  long addedChunks();

  /** Payload bytes this batch wrote. */
  long addedBytes();

  /** Ends the batch; chunks added since the last commit are abandoned. */
  @Override
  void close();
}
