package io.shoal.node;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Tells a reader when a chunk that a fetch will bring is visible in the store (group-committed; not
 * yet fsynced), without holding a thread: the gateway's streams wait here for the chunk after the
 * reader's position. Holds one entry per waiting reader, dropped when the chunk lands or the reader
 * gives up (cancels), so its size is bounded by the streams the HTTP API allows at once.
 * Thread-safe.
 */
final class ChunkArrivals {
  private final ChunkStore store;

  /** Guarded by {@code this}. */
  private final Map<ChunkId, List<CompletableFuture<Void>>> waiters = new HashMap<>();

  ChunkArrivals(ChunkStore store) {
    this.store = store;
  }

  /** Called after each commit with the chunks that became visible. */
  void committed(List<ChunkId> ids) {
    List<CompletableFuture<Void>> ready = new ArrayList<>();
    synchronized (this) {
      for (ChunkId id : ids) {
        List<CompletableFuture<Void>> w = waiters.remove(id);
        if (w != null) {
          ready.addAll(w);
        }
      }
    }
    ready.forEach(f -> f.complete(null)); // outside the lock: completions run the readers' steps
  }

  /**
   * Completes once the store holds {@code id} (at once if it does). Cancel it to stop waiting: its
   * entry is dropped.
   */
  CompletableFuture<Void> arrival(ChunkId id) {
    if (store.contains(id)) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (this) {
      waiters.computeIfAbsent(id, k -> new ArrayList<>()).add(f);
    }
    f.whenComplete((v, e) -> forget(id, f));
    if (store.contains(id)) { // committed between the first look and the registration
      f.complete(null);
    }
    return f;
  }

  /** How many readers wait, for tests and status. */
  synchronized int waiting() {
    return waiters.values().stream().mapToInt(List::size).sum();
  }

  private synchronized void forget(ChunkId id, CompletableFuture<Void> f) {
    List<CompletableFuture<Void>> w = waiters.get(id);
    if (w != null && w.removeIf(x -> x == f) && w.isEmpty()) {
      waiters.remove(id);
    }
  }
}
