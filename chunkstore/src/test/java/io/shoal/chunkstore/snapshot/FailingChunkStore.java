package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.Catalog;
import io.shoal.chunkstore.ChunkBatch;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkLocation;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.StoreStats;
import io.shoal.chunkstore.VerifiedChunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A store whose batches fail the Nth write (add or addAll) with an IOException; else delegates. */
final class FailingChunkStore implements ChunkStore {
  private final ChunkStore delegate;
  private final String message;
  private int writesLeft;

  FailingChunkStore(ChunkStore delegate, int failingWrite, String message) {
    this.delegate = delegate;
    this.writesLeft = failingWrite;
    this.message = message;
  }

  private synchronized void countWrite() throws IOException {
    if (--writesLeft == 0) {
      throw new IOException(message);
    }
  }

  @Override
  public ChunkBatch newBatch() {
    ChunkBatch batch = delegate.newBatch();
    return new ChunkBatch() {
      @Override
      public boolean add(VerifiedChunk chunk) throws IOException {
        countWrite();
        return batch.add(chunk);
      }

      @Override
      public int addAll(List<VerifiedChunk> chunks) throws IOException {
        countWrite();
        return batch.addAll(chunks);
      }

      @Override
      public void commit() throws IOException {
        batch.commit();
      }

      @Override
      public long addedChunks() {
        return batch.addedChunks();
      }

      @Override
      public long addedBytes() {
        return batch.addedBytes();
      }

      @Override
      public void close() {
        batch.close();
      }
    };
  }

  @Override
  public boolean contains(ChunkId id) {
    return delegate.contains(id);
  }

  @Override
  public int length(ChunkId id) {
    return delegate.length(id);
  }

  @Override
  public ByteBuffer read(ChunkId id) throws IOException {
    return delegate.read(id);
  }

  @Override
  public int readInto(ChunkId id, ByteBuffer dst) throws IOException {
    return delegate.readInto(id, dst);
  }

  @Override
  public Catalog catalog() {
    return delegate.catalog();
  }

  @Override
  public StoreStats stats() {
    return delegate.stats();
  }

  @Override
  public void forEachId(Consumer<ChunkId> action) {
    delegate.forEachId(action);
  }

  @Override
  public long retainOnly(Predicate<ChunkId> live) throws IOException {
    return delegate.retainOnly(live);
  }

  @Override
  public Optional<ChunkLocation> locate(ChunkId id) {
    return delegate.locate(id);
  }

  @Override
  public Optional<Path> directory() {
    return delegate.directory();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
