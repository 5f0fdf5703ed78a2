package io.shoal.sim;

import java.util.PriorityQueue;

/**
 * The run's virtual clock and its pending events, ordered by time, then by the order they were
 * scheduled (a sequence number), so nothing depends on hash or thread order. Not thread-safe.
 *
 * <p>Public for the gossip test harness, which plays its scenarios on this queue rather than on a
 * second event loop of its own.
 */
public final class EventQueue {
  private record Event(long at, long seq, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private long now;
  private long seq;
  private long processed;

  /** The virtual time, in nanoseconds since the start of the run. */
  public long now() {
    return now;
  }

  /** Events processed so far (scheduled ones and flow ends alike). */
  public long processed() {
    return processed;
  }

  /** Schedules {@code action} at virtual time {@code t}. */
  public void at(long t, Runnable action) {
    queue.add(new Event(t, seq++, action));
  }

  /** When the next scheduled event is due, or {@code Long.MAX_VALUE} when none is. */
  public long nextAt() {
    Event e = queue.peek();
    return e == null ? Long.MAX_VALUE : e.at;
  }

  /** Moves the clock to {@code t} for the next event, whichever kind it is, and counts it. */
  public void advanceTo(long t) {
    now = t;
    processed++;
  }

  /** Runs the next scheduled event. */
  public void runNext() {
    queue.poll().action.run();
  }
}
