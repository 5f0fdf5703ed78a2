package io.shoal.chunkstore;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts writing dirty pages to disk in the background while a large write is still going, so the
 * final fsync has little left to do. Java has no {@code sync_file_range}; an fsync on a helper
 * thread every so many bytes has the same effect. At most one fsync runs and one waits; further
 * requests are dropped, which is harmless because the final fsync covers everything.
 *
 * <p>A failed background fsync is kept, never dropped: after one, a later fsync may succeed
 * although the bytes are lost (the kernel marks the pages clean), so the writer must ask {@link
 * #throwIfFailed()} after its final fsync instead of trusting it. The store's flush also fails the
 * store by itself ({@link StoreHealth}).
 *
 * <p>Thread-safe. Owns one daemon thread, stopped by {@link #close()}.
 */
public final class Writeback implements AutoCloseable {
  /** An fsync to run in the background. */
  @FunctionalInterface
  public interface Flush {
    void run() throws IOException;
  }

  private final long everyBytes;
  private final AtomicLong sinceLast = new AtomicLong();
  private final ThreadPoolExecutor executor;
  private final AtomicReference<IOException> failure = new AtomicReference<>();

  public Writeback(String threadName, long everyBytes) {
    this.everyBytes = everyBytes;
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1),
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.DiscardPolicy());
  }

  /** Notes {@code bytes} written; every {@code everyBytes} schedules {@code flush}. */
  public void wrote(long bytes, Flush flush) {
    if (sinceLast.addAndGet(bytes) >= everyBytes) {
      sinceLast.set(0);
      executor.execute(
          () -> {
            try {
              flush.run();
            } catch (IOException e) {
              failure.compareAndSet(null, e);
            }
          });
    }
  }

  /**
   * Throws the first background fsync failure, if any; call after {@link #close()} so a running
   * flush has finished.
   */
  public void throwIfFailed() throws IOException {
    IOException e = failure.get();
    if (e != null) {
      throw new IOException("a background fsync failed: " + IoErrors.describe(e), e);
    }
  }

  /** Stops the thread after the running flush, if any. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
