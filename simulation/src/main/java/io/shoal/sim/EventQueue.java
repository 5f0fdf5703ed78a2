package io.shoal.sim;

import java.util.Arrays;

/**
 * The run's virtual clock and its pending events, ordered by time, then by the order they were
 * scheduled (a sequence number), so nothing depends on hash or thread order. Not thread-safe.
 *
 * <p>A binary heap over parallel arrays (time, sequence number, action) rather than a {@code
 * PriorityQueue} of event objects: a large swarm schedules over a hundred thousand events per
 * virtual second, and an object per event was much of what the run allocated. The order is the same
 * total order as before (time, then sequence number), so a run's events, and its trace hash, do not
 * change.
 *
 * <p>Public for the gossip test harness, which plays its scenarios on this queue rather than on a
 * second event loop of its own.
 */
public final class EventQueue {
  private static final int INITIAL_CAPACITY = 1024;

  private long[] times = new long[INITIAL_CAPACITY];
  private long[] seqs = new long[INITIAL_CAPACITY];
  private Runnable[] actions = new Runnable[INITIAL_CAPACITY];
  private int size;
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

  /** Events scheduled and not run yet. */
  int size() {
    return size;
  }

  /** Schedules {@code action} at virtual time {@code t}. */
  public void at(long t, Runnable action) {
    if (size == times.length) {
      int capacity = size * 2;
      times = Arrays.copyOf(times, capacity);
      seqs = Arrays.copyOf(seqs, capacity);
      actions = Arrays.copyOf(actions, capacity);
    }
    siftUp(size++, t, seq++, action);
  }

  /** When the next scheduled event is due, or {@code Long.MAX_VALUE} when none is. */
  public long nextAt() {
    return size == 0 ? Long.MAX_VALUE : times[0];
  }

  /** Moves the clock to {@code t} for the next event, whichever kind it is, and counts it. */
  public void advanceTo(long t) {
    now = t;
    processed++;
  }

  /** Runs the next scheduled event. */
  public void runNext() {
    Runnable action = actions[0];
    int last = --size;
    if (last > 0) {
      siftDown(times[last], seqs[last], actions[last]);
    }
    actions[last] = null;
    action.run();
  }

  private static boolean before(long t1, long s1, long t2, long s2) {
    return t1 < t2 || (t1 == t2 && s1 < s2);
  }

  private void siftUp(int k, long t, long s, Runnable a) {
    while (k > 0) {
      int parent = (k - 1) >>> 1;
      if (!before(t, s, times[parent], seqs[parent])) {
        break;
      }
      put(k, times[parent], seqs[parent], actions[parent]);
      k = parent;
    }
    put(k, t, s, a);
  }

  /** Places the event {@code (t, s, a)} from the end of the heap, starting at the root. */
  private void siftDown(long t, long s, Runnable a) {
    int k = 0;
    int half = size >>> 1;
    while (k < half) {
      int child = 2 * k + 1;
      int right = child + 1;
      if (right < size && before(times[right], seqs[right], times[child], seqs[child])) {
        child = right;
      }
      if (!before(times[child], seqs[child], t, s)) {
        break;
      }
      put(k, times[child], seqs[child], actions[child]);
      k = child;
    }
    put(k, t, s, a);
  }

  private void put(int k, long t, long s, Runnable a) {
    times[k] = t;
    seqs[k] = s;
    actions[k] = a;
  }
}
