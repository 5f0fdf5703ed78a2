package io.shoal.node;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Lets a reader wait for a chunk that a fetch will bring: streaming readers block here, off the
 * event loops, until the chunk is visible in the store (group-committed; not yet fsynced). Holds
 * one entry per waiting reader.
 */
final class ChunkArrivals {
  private final ChunkStore store;
  private final Map<ChunkId, CompletableFuture<Void>> waiters = new ConcurrentHashMap<>();

  ChunkArrivals(ChunkStore store) {
    this.store = store;
  }

  /** Called after each commit with the chunks that became visible. */
  void committed(List<ChunkId> ids) {
    for (ChunkId id : ids) {
      CompletableFuture<Void> f = waiters.remove(id);
      if (f != null) {
        f.complete(null);
      }
    }
  }

  /** Returns once the store holds {@code id}. */
  void await(ChunkId id, Duration timeout) throws IOException {
    if (store.contains(id)) {
      return;
    }
    CompletableFuture<Void> f = waiters.computeIfAbsent(id, k -> new CompletableFuture<>());
    if (store.contains(id)) {
      waiters.remove(id, f);
      return;
    }
    try {
      f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      waiters.remove(id, f);
      throw new IOException(
          "chunk " + id.toShortHex() + " did not arrive within " + timeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a chunk");
    }
  }
}
