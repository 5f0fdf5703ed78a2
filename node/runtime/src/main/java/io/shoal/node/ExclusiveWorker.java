package io.shoal.node;

import io.shoal.node.net.RetryLaterException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One thread that runs one task at a time and refuses, rather than queues, a task offered while one
 * runs: for long work an operator asks for (a verify of the whole store) that must stay off the
 * event loops and the HTTP workers, and must not pile up when asked for twice. {@link #close()}
 * interrupts the running task and refuses new ones.
 */
final class ExclusiveWorker implements AutoCloseable {
  /**
   * Places in the thread's queue. The guard lets one task in at a time; this one place covers the
   * instant between a task's end (when the next may be offered) and its thread's return to the
   * queue.
   */
  static final int QUEUE_PLACES = 1;

  private final String busyMessage;
  private final long retryAfterSeconds;
  private final AtomicBoolean running = new AtomicBoolean();
  private final ThreadPoolExecutor thread;

  /**
   * @param busyMessage what a refused caller is told, in one line
   * @param retryAfterSeconds when it is told to try again
   */
  ExclusiveWorker(String threadName, String busyMessage, long retryAfterSeconds) {
    this.busyMessage = busyMessage;
    this.retryAfterSeconds = retryAfterSeconds;
    this.thread =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE_PLACES),
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Runs {@code task} on the worker's thread. The future fails at once with a {@link
   * RetryLaterException} while another task runs, or with the task's own exception.
   */
  <T> CompletableFuture<T> submit(Callable<T> task) {
    if (!running.compareAndSet(false, true)) {
      return CompletableFuture.failedFuture(
          new RetryLaterException(busyMessage, retryAfterSeconds));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      thread.execute(() -> run(task, result));
    } catch (RejectedExecutionException e) {
      running.set(false);
      result.completeExceptionally(new IllegalStateException("the node is stopping"));
    }
    return result;
  }

  private <T> void run(Callable<T> task, CompletableFuture<T> result) {
    T value = null;
    Exception failure = null;
    try {
      value = task.call();
    } catch (Exception e) {
      failure = e;
    } finally {
      running.set(false); // before the caller hears: it may offer the next task at once
    }
    if (failure != null) {
      result.completeExceptionally(failure);
    } else {
      result.complete(value);
    }
  }

  /** Whether {@link #close()} was called: a running task should stop at its next step. */
  boolean isClosed() {
    return thread.isShutdown();
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(NodeThreads.LOOP_STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
