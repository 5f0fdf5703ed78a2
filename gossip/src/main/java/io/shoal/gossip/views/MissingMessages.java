package io.shoal.gossip.views;

import io.shoal.gossip.NodeId;
import java.util.Arrays;

/**
 * Messages announced to this node (IHAVE) that it has not received, each with the peers that
 * announced it and when to ask the next of them (GRAFT). At most {@link
 * ViewConfig#MISSING_ENTRIES}; announcements past that are dropped (the eager push or a later
 * announcement still brings the message). Arrays grow on demand; lookups scan, the table is small.
 */
final class MissingMessages {
  private static final int INITIAL_CAPACITY = 4;

  private long[] ids = new long[INITIAL_CAPACITY];
  private long[] deadlines = new long[INITIAL_CAPACITY];
  private NodeId[] announcers = new NodeId[INITIAL_CAPACITY * ViewConfig.MISSING_ANNOUNCERS];
  private int[] announcerCount = new int[INITIAL_CAPACITY];
  private int size;

  int size() {
    return size;
  }

  /**
   * Records that {@code from} announced {@code id}; a new entry is due at {@code deadlineNanos}.
   * False when the table is full and the announcement was dropped.
   */
  boolean announce(long id, NodeId from, long deadlineNanos) {
    int i = indexOf(id);
    if (i >= 0) {
      int n = announcerCount[i];
      if (n < ViewConfig.MISSING_ANNOUNCERS) {
        announcers[i * ViewConfig.MISSING_ANNOUNCERS + n] = from;
        announcerCount[i] = n + 1;
      }
      return true;
    }
    if (size == ids.length) {
      if (size == ViewConfig.MISSING_ENTRIES) {
        return false;
      }
      grow();
    }
    ids[size] = id;
    deadlines[size] = deadlineNanos;
    announcers[size * ViewConfig.MISSING_ANNOUNCERS] = from;
    announcerCount[size] = 1;
    size++;
    return true;
  }

  void remove(long id) {
    int i = indexOf(id);
    if (i >= 0) {
      removeAt(i);
    }
  }

  long id(int i) {
    return ids[i];
  }

  boolean isDue(int i, long nowNanos) {
    return nowNanos - deadlines[i] >= 0;
  }

  void setDeadline(int i, long deadlineNanos) {
    deadlines[i] = deadlineNanos;
  }

  /** Takes entry {@code i}'s first announcer not yet asked, or null when none is left. */
  NodeId takeAnnouncer(int i) {
    int n = announcerCount[i];
    if (n == 0) {
      return null;
    }
    int base = i * ViewConfig.MISSING_ANNOUNCERS;
    NodeId first = announcers[base];
    System.arraycopy(announcers, base + 1, announcers, base, n - 1);
    announcers[base + n - 1] = null;
    announcerCount[i] = n - 1;
    return first;
  }

  /** The earlier of {@code next} and every entry's deadline, compared by difference. */
  long earliestDeadline(long next) {
    for (int i = 0; i < size; i++) {
      if (deadlines[i] - next < 0) {
        next = deadlines[i];
      }
    }
    return next;
  }

  void removeAt(int i) {
    int last = --size;
    int a = ViewConfig.MISSING_ANNOUNCERS;
    ids[i] = ids[last];
    deadlines[i] = deadlines[last];
    announcerCount[i] = announcerCount[last];
    System.arraycopy(announcers, last * a, announcers, i * a, a);
    Arrays.fill(announcers, last * a, last * a + a, null);
  }

  private int indexOf(long id) {
    for (int i = 0; i < size; i++) {
      if (ids[i] == id) {
        return i;
      }
    }
    return -1;
  }

  private void grow() {
    int n = Math.min(ids.length * 2, ViewConfig.MISSING_ENTRIES);
    ids = Arrays.copyOf(ids, n);
    deadlines = Arrays.copyOf(deadlines, n);
    announcerCount = Arrays.copyOf(announcerCount, n);
    announcers = Arrays.copyOf(announcers, n * ViewConfig.MISSING_ANNOUNCERS);
  }
}
