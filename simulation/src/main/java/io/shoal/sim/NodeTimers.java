package io.shoal.sim;

/**
 * Each simulated node's one timer event, kept in step with the node's next deadline: rescheduled
 * after every input, and cancelled (by generation) when the node crashes. Not thread-safe.
 */
final class NodeTimers {
  private final EventQueue queue;
  private final TraceHash trace;

  NodeTimers(EventQueue queue, TraceHash trace) {
    this.queue = queue;
    this.trace = trace;
  }

  /** Makes sure the node's timer event matches its next deadline. */
  void reschedule(SimNode n) {
    long now = queue.now();
    long next = n.nextDeadlineNanos(now);
    if (next == n.scheduledNanos) {
      return;
    }
    n.scheduledNanos = next;
    long generation = ++n.timerGeneration;
    if (next != Long.MAX_VALUE) {
      queue.at(
          Math.max(next, now),
          () -> {
            if (n.timerGeneration == generation && n.up) {
              n.scheduledNanos = Long.MAX_VALUE;
              trace.fold(0x7173L + n.index);
              n.onTimer(queue.now());
              reschedule(n);
            }
          });
    }
  }

  /** Drops the node's pending timer event (it crashed). */
  void cancel(SimNode n) {
    n.timerGeneration++;
    n.scheduledNanos = Long.MAX_VALUE;
  }
}
