package io.shoal.chunkstore;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The in-memory store: the same contract as the disk store without durability, bounded by a
 * capacity in bytes. Chunks are copied in, so callers keep their buffers.
 */
final class MemoryChunkStore implements ChunkStore {
  private final long capacityBytes;
  private final Map<ChunkId, ByteBuffer> chunks = new ConcurrentHashMap<>();
  private final AtomicLong usedBytes = new AtomicLong();
  private final Catalog catalog = Catalog.inMemory();

  MemoryChunkStore(long capacityBytes) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException("negative capacity " + capacityBytes);
    }
    this.capacityBytes = capacityBytes;
  }

  @Override
  public boolean contains(ChunkId id) {
    return chunks.containsKey(id);
  }

  @Override
  public int length(ChunkId id) {
    ByteBuffer b = chunks.get(id);
    return b == null ? -1 : b.capacity();
  }

  @Override
  public ByteBuffer read(ChunkId id) throws ChunkNotFoundException {
    ByteBuffer b = chunks.get(id);
    if (b == null) {
      throw new ChunkNotFoundException(id);
    }
    return b.duplicate();
  }

  @Override
  public int readInto(ChunkId id, ByteBuffer dst) throws ChunkNotFoundException {
    ByteBuffer b = read(id);
    if (dst.remaining() < b.remaining()) {
      throw new IllegalArgumentException(
          "buffer has " + dst.remaining() + " bytes, chunk " + id + " needs " + b.remaining());
    }
    int n = b.remaining();
    dst.put(b);
    return n;
  }

  @Override
  public ChunkBatch newBatch() {
    return new ChunkBatch() {
      private final List<VerifiedChunk> pending = new ArrayList<>();
      private final Set<ChunkId> pendingIds = new HashSet<>();
      private long addedChunks;
      private long addedBytes;

      @Override
      public boolean add(VerifiedChunk chunk) throws StoreFullException {
        if (chunks.containsKey(chunk.id()) || !pendingIds.add(chunk.id())) {
          return false;
        }
        if (usedBytes.addAndGet(chunk.length()) > capacityBytes) {
          usedBytes.addAndGet(-chunk.length());
          pendingIds.remove(chunk.id());
          throw new StoreFullException(
              "in-memory store is full (" + capacityBytes + " bytes); nothing was lost", null);
        }
        ByteBuffer copy = ByteBuffer.wrap(chunk.toByteArray()).asReadOnlyBuffer();
        pending.add(VerifiedChunk.verify(chunk.id(), copy).orElseThrow());
        addedChunks++;
        addedBytes += chunk.length();
        return true;
      }

      @Override
      public void commit() {
        for (VerifiedChunk c : pending) {
          if (chunks.putIfAbsent(c.id(), c.bytes()) != null) {
            usedBytes.addAndGet(-c.length());
          }
        }
        pending.clear();
        pendingIds.clear();
      }

      @Override
      public long addedChunks() {
        return addedChunks;
      }

      @Override
      public long addedBytes() {
        return addedBytes;
      }

      @Override
      public void close() {
        for (VerifiedChunk c : pending) {
          usedBytes.addAndGet(-c.length());
        }
        pending.clear();
        pendingIds.clear();
      }
    };
  }

  @Override
  public Catalog catalog() {
    return catalog;
  }

  @Override
  public StoreStats stats() {
    long bytes = usedBytes.get();
    return new StoreStats(chunks.size(), bytes, bytes);
  }

  @Override
  public void forEachId(Consumer<ChunkId> action) {
    chunks.keySet().forEach(action);
  }

  @Override
  public long retainOnly(Predicate<ChunkId> live) {
    AtomicLong removed = new AtomicLong();
    chunks
        .entrySet()
        .removeIf(
            e -> {
              if (live.test(e.getKey())) {
                return false;
              }
              removed.addAndGet(e.getValue().capacity());
              usedBytes.addAndGet(-e.getValue().capacity());
              return true;
            });
    return removed.get();
  }

  @Override
  public Optional<ChunkLocation> locate(ChunkId id) {
    return Optional.empty();
  }

  @Override
  public Optional<Path> directory() {
    return Optional.empty();
  }

  @Override
  public void close() {}
}
