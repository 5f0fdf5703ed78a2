package io.shoal.node;

import io.netty.util.concurrent.EventExecutor;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inputs other threads hand to a driver confined to one event loop, run there in order and in
 * batches: the loop's own task queue holds at most one task of the inbox (a wake-up flag coalesces
 * the rest), and after each batch the driver carries out its core's outputs once ({@code
 * afterBatch}), not once per input.
 *
 * <p>Two kinds of input: {@link #offer} for what peers cause (refused and counted past {@code
 * capacity}; the caller decides what a refusal costs, usually nothing since peers retry), and
 * {@link #post} for inputs that must run and are bounded by their producers (one per serve in
 * flight, one per verified reply, one per commit). Both count toward {@link #size}, so a flood of
 * posts also turns offers away.
 *
 * <p>Thread-safe. After {@link #close}, inputs are dropped.
 */
final class LoopInbox {
  /** Inputs run per wake-up before the loop gets back to its sockets and other tasks. */
  static final int BATCH_INPUTS = 256;

  private static final Logger log = LoggerFactory.getLogger(LoopInbox.class);

  private final EventExecutor loop;
  private final int capacity;
  private final CounterDataPoint refused;
  private final Runnable afterBatch;
  private final Queue<Runnable> inputs = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile boolean closed;

  /**
   * @param capacity inputs waiting at most before {@link #offer} refuses
   * @param refused counts each refusal
   * @param afterBatch runs on the loop after each batch of inputs
   */
  LoopInbox(EventExecutor loop, int capacity, CounterDataPoint refused, Runnable afterBatch) {
    this.loop = loop;
    this.capacity = capacity;
    this.refused = refused;
    this.afterBatch = afterBatch;
  }

  /** Queues an input a peer caused; false (counted) when {@code capacity} inputs wait. */
  boolean offer(Runnable input) {
    if (closed) {
      return false;
    }
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      refused.inc();
      return false;
    }
    inputs.add(input);
    wake();
    return true;
  }

  /** Queues an input that must run; its producer bounds how many it sends. */
  void post(Runnable input) {
    if (closed) {
      return;
    }
    size.incrementAndGet();
    inputs.add(input);
    wake();
  }

  /** Inputs waiting. */
  int size() {
    return size.get();
  }

  /** Drops what waits and takes nothing more. */
  void close() {
    closed = true;
    inputs.clear();
  }

  private void wake() {
    if (scheduled.compareAndSet(false, true)) {
      try {
        loop.execute(this::drain);
      } catch (RejectedExecutionException e) {
        // The loop is stopping: the node is, and what waits does not matter any more.
        closed = true;
      }
    }
  }

  private void drain() {
    for (int n = 0; n < BATCH_INPUTS && !closed; n++) {
      Runnable input = inputs.poll();
      if (input == null) {
        break;
      }
      size.decrementAndGet();
      try {
        input.run();
      } catch (RuntimeException e) {
        log.error("an input of an event loop driver failed (a bug); the node goes on", e);
      }
    }
    try {
      afterBatch.run();
    } finally {
      scheduled.set(false);
      if (!inputs.isEmpty() && !closed) {
        wake();
      }
    }
  }
}
