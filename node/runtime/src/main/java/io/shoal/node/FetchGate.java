package io.shoal.node;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Keeps fetches and retention's garbage collection apart. A running fetch writes chunks that no
 * catalog entry reaches until it records its version, so a collection then would take them from
 * under it: collection starts only when no fetch runs, and a fetch asked for while one collects
 * starts when it ends. A collection asked for while fetches run is remembered and offered again
 * ({@link #onIdle}) when the last of them ends.
 *
 * <p>Seen in CI twice before this gate: a collection that began between one fetch ending and the
 * next starting (a check of the running fetches, then the collection, with a new fetch in between)
 * took chunks of that new fetch, which never finished.
 *
 * <p>Thread-safe. At most {@link #MAX_WAITING} fetches wait for a collection; past that a fetch
 * fails at once. The starts are run outside the lock, on the thread that ends the collection.
 */
final class FetchGate {
  /** Fetches that may wait for one collection to end. */
  static final int MAX_WAITING = 1024;

  private record Waiting(
      Supplier<CompletableFuture<FetchResult>> start, CompletableFuture<FetchResult> result) {}

  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int running;
  private boolean collecting;
  private boolean pending;
  private Runnable onIdle = () -> {};

  /** What to run when the last fetch ends and a collection was refused meanwhile. */
  synchronized void onIdle(Runnable r) {
    onIdle = r;
  }

  /** Starts the fetch {@code start} makes now, or when the collection running now ends. */
  CompletableFuture<FetchResult> admit(Supplier<CompletableFuture<FetchResult>> start) {
    synchronized (this) {
      if (collecting) {
        CompletableFuture<FetchResult> result = new CompletableFuture<>();
        if (waiting.size() >= MAX_WAITING) {
          result.completeExceptionally(
              new IOException(
                  MAX_WAITING + " fetches already wait for garbage collection; try again"));
        } else {
          waiting.add(new Waiting(start, result));
        }
        return result;
      }
      running++;
    }
    return run(start);
  }

  private CompletableFuture<FetchResult> run(Supplier<CompletableFuture<FetchResult>> start) {
    CompletableFuture<FetchResult> f;
    try {
      f = start.get();
    } catch (RuntimeException e) {
      ended();
      throw e;
    }
    f.whenComplete((r, e) -> ended());
    return f;
  }

  private void ended() {
    Runnable idle = null;
    synchronized (this) {
      running--;
      if (running == 0 && pending) {
        pending = false;
        idle = onIdle;
      }
    }
    if (idle != null) {
      idle.run();
    }
  }

  /**
   * Begins a collection if no fetch runs (true; the caller must {@link #endCollection}); else
   * remembers that one is wanted (false).
   */
  synchronized boolean tryBeginCollection() {
    if (running > 0 || collecting) {
      pending = true;
      return false;
    }
    collecting = true;
    return true;
  }

  /** Ends the collection and starts the fetches that waited for it. */
  void endCollection() {
    List<Waiting> starts;
    Runnable idle = null;
    synchronized (this) {
      collecting = false;
      starts = new ArrayList<>(waiting);
      waiting.clear();
      running += starts.size();
      if (running == 0 && pending) { // asked for while this one ran
        pending = false;
        idle = onIdle;
      }
    }
    if (idle != null) {
      idle.run();
    }
    for (Waiting w : starts) {
      try {
        run(w.start)
            .whenComplete(
                (r, e) -> {
                  if (e != null) {
                    w.result.completeExceptionally(e);
                  } else {
                    w.result.complete(r);
                  }
                });
      } catch (RuntimeException e) {
        w.result.completeExceptionally(e);
      }
    }
  }

  /** Fetches running now (started through this gate and not ended). */
  synchronized int running() {
    return running;
  }
}
