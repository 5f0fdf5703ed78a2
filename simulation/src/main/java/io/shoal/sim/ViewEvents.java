package io.shoal.sim;

import java.util.Arrays;

/**
 * The pending events of a {@link ViewSimulation}, ordered by time, then by the order they were
 * scheduled: a binary heap over parallel primitive arrays (time, sequence, kind, target node,
 * source node) plus one reference (the message), so an event costs no object of its own. At a
 * hundred thousand nodes a run processes hundreds of millions of events. Not thread-safe.
 */
final class ViewEvents {
  private static final int INITIAL_CAPACITY = 1024;

  private long[] times = new long[INITIAL_CAPACITY];
  private long[] seqs = new long[INITIAL_CAPACITY];
  private int[] kinds = new int[INITIAL_CAPACITY];
  private int[] tos = new int[INITIAL_CAPACITY];
  private int[] froms = new int[INITIAL_CAPACITY];
  private Object[] messages = new Object[INITIAL_CAPACITY];
  private int size;
  private long seq;

  // The event just taken by poll().
  long time;
  int kind;
  int to;
  int from;
  Object message;

  int size() {
    return size;
  }

  void add(long t, int kind, int to, int from, Object message) {
    if (size == times.length) {
      int n = size * 2;
      times = Arrays.copyOf(times, n);
      seqs = Arrays.copyOf(seqs, n);
      kinds = Arrays.copyOf(kinds, n);
      tos = Arrays.copyOf(tos, n);
      froms = Arrays.copyOf(froms, n);
      messages = Arrays.copyOf(messages, n);
    }
    int k = size++;
    long s = seq++;
    while (k > 0) {
      int parent = (k - 1) >>> 1;
      if (!before(t, s, times[parent], seqs[parent])) {
        break;
      }
      move(parent, k);
      k = parent;
    }
    put(k, t, s, kind, to, from, message);
  }

  /** Takes the earliest event into the public fields; false when there is none. */
  boolean poll() {
    if (size == 0) {
      return false;
    }
    time = times[0];
    kind = kinds[0];
    to = tos[0];
    from = froms[0];
    message = messages[0];
    int last = --size;
    if (last > 0) {
      siftDown(last);
    }
    messages[last] = null;
    return true;
  }

  /** Moves the last entry ({@code last}) down from the root to its place. */
  private void siftDown(int last) {
    long t = times[last];
    long s = seqs[last];
    int kd = kinds[last];
    int tt = tos[last];
    int ff = froms[last];
    Object m = messages[last];
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
      move(child, k);
      k = child;
    }
    put(k, t, s, kd, tt, ff, m);
  }

  private static boolean before(long t1, long s1, long t2, long s2) {
    return t1 < t2 || (t1 == t2 && s1 < s2);
  }

  private void move(int from, int to) {
    put(to, times[from], seqs[from], kinds[from], tos[from], froms[from], messages[from]);
  }

  private void put(int k, long t, long s, int kd, int tt, int ff, Object m) {
    times[k] = t;
    seqs[k] = s;
    kinds[k] = kd;
    tos[k] = tt;
    froms[k] = ff;
    messages[k] = m;
  }
}
