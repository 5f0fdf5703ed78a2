package io.shoal.sim;

import java.util.Arrays;

/**
 * The pending events of a {@link ViewSimulation}, ordered by time, then by the order they were
 * scheduled, so a run's order (and its trace hash) is the same on any machine. Built for runs of
 * hundreds of millions of events: an event costs no object of its own. A 4-ary heap (half the
 * levels of a binary one, children side by side in memory) holds only the keys (time, sequence) and
 * a slot; each slot of a slab holds the event's kind, target, source and message, so sifting moves
 * three arrays rather than six. Not thread-safe.
 */
final class ViewEvents {
  private static final int INITIAL_CAPACITY = 1024;

  private long[] times = new long[INITIAL_CAPACITY];
  private long[] seqs = new long[INITIAL_CAPACITY];
  private int[] heapSlots = new int[INITIAL_CAPACITY];
  private int size;
  private long seq;

  private int[] kinds = new int[INITIAL_CAPACITY];
  private int[] tos = new int[INITIAL_CAPACITY];
  private int[] froms = new int[INITIAL_CAPACITY];
  private Object[] messages = new Object[INITIAL_CAPACITY];
  private int[] freeSlots = new int[INITIAL_CAPACITY];
  private int free;
  private int slabUsed;

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
    int slot = free > 0 ? freeSlots[--free] : newSlot();
    kinds[slot] = kind;
    tos[slot] = to;
    froms[slot] = from;
    messages[slot] = message;
    if (size == times.length) {
      int n = size * 2;
      times = Arrays.copyOf(times, n);
      seqs = Arrays.copyOf(seqs, n);
      heapSlots = Arrays.copyOf(heapSlots, n);
    }
    long s = seq++;
    int k = size++;
    while (k > 0) {
      int parent = (k - 1) >>> 2;
      if (!before(t, s, times[parent], seqs[parent])) {
        break;
      }
      times[k] = times[parent];
      seqs[k] = seqs[parent];
      heapSlots[k] = heapSlots[parent];
      k = parent;
    }
    times[k] = t;
    seqs[k] = s;
    heapSlots[k] = slot;
  }

  /** Takes the earliest event into the public fields; false when there is none. */
  boolean poll() {
    if (size == 0) {
      return false;
    }
    int slot = heapSlots[0];
    time = times[0];
    kind = kinds[slot];
    to = tos[slot];
    from = froms[slot];
    message = messages[slot];
    messages[slot] = null;
    freeSlots[free++] = slot;
    int last = --size;
    if (last > 0) {
      siftDown(times[last], seqs[last], heapSlots[last]);
    }
    return true;
  }

  private int newSlot() {
    if (slabUsed == kinds.length) {
      int n = slabUsed * 2;
      kinds = Arrays.copyOf(kinds, n);
      tos = Arrays.copyOf(tos, n);
      froms = Arrays.copyOf(froms, n);
      messages = Arrays.copyOf(messages, n);
      freeSlots = Arrays.copyOf(freeSlots, n);
    }
    return slabUsed++;
  }

  /** Places the key {@code (t, s, slot)} from the root down. */
  private void siftDown(long t, long s, int slot) {
    int k = 0;
    while (true) {
      int first = 4 * k + 1;
      if (first >= size) {
        break;
      }
      int best = first;
      int end = Math.min(first + 4, size);
      for (int c = first + 1; c < end; c++) {
        if (before(times[c], seqs[c], times[best], seqs[best])) {
          best = c;
        }
      }
      if (!before(times[best], seqs[best], t, s)) {
        break;
      }
      times[k] = times[best];
      seqs[k] = seqs[best];
      heapSlots[k] = heapSlots[best];
      k = best;
    }
    times[k] = t;
    seqs[k] = s;
    heapSlots[k] = slot;
  }

  private static boolean before(long t1, long s1, long t2, long s2) {
    return t1 < t2 || (t1 == t2 && s1 < s2);
  }
}
