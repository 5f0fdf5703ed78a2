package io.shoal.chunkstore;

import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;

/**
 * Where each visible chunk lies: id to (pack, payload offset, length), in an open-addressing table
 * of primitive arrays (about 40 bytes a chunk, against some 110 for a map of objects), so a node
 * can index tens of millions of chunks.
 *
 * <p>Linear probing with backward-shift deletion (Knuth, TAOCP vol. 3, 6.4 Algorithm R), so no
 * tombstones accumulate. Ids are uniform digests and need no further mixing beyond a multiply.
 *
 * <p>Thread-safe: lookups take an optimistic {@link StampedLock} read and fall back to a read lock
 * when a writer interfered; writers take the write lock.
 */
final class ChunkIndex {
  /** A chunk's place in the packs. */
  record Location(int pack, long offset, int length) {}

  private static final int OFFSET_BITS = 40;
  private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
  static final int MAX_PACK_NUMBER = (1 << 23) - 1;
  static final long MAX_PACK_OFFSET = OFFSET_MASK;

  private static final int INITIAL_CAPACITY = 1 << 12;
  private static final double MAX_LOAD = 0.7;

  private final StampedLock lock = new StampedLock();
  private Table table = new Table(INITIAL_CAPACITY);
  private long payloadBytes;

  /** The arrays of one capacity; replaced whole on growth so readers see consistent lengths. */
  private static final class Table {
    final byte[] algorithms; // 0 marks an empty slot
    final long[] highs;
    final long[] lows;
    final long[] places;
    final int[] lengths;
    final int mask;
    int size;

    Table(int capacity) {
      algorithms = new byte[capacity];
      highs = new long[capacity];
      lows = new long[capacity];
      places = new long[capacity];
      lengths = new int[capacity];
      mask = capacity - 1;
    }

    int home(long low, long high) {
      return (int) (((low ^ high) * 0x9E37_79B9_7F4A_7C15L) >>> 40) & mask;
    }

    /** The slot holding the id, or -(insertion slot) - 1. */
    int find(ChunkId id) {
      byte a = id.algorithm().code();
      long hi = id.high();
      long lo = id.low();
      int i = home(lo, hi);
      for (int probes = 0; probes <= mask; probes++) {
        byte s = algorithms[i];
        if (s == 0) {
          return -i - 1;
        }
        if (s == a && lows[i] == lo && highs[i] == hi) {
          return i;
        }
        i = (i + 1) & mask;
      }
      return Integer.MIN_VALUE; // only reachable by a racing optimistic read
    }
  }

  Location get(ChunkId id) {
    long stamp = lock.tryOptimisticRead();
    Location found = lookup(table, id);
    if (lock.validate(stamp)) {
      return found;
    }
    stamp = lock.readLock();
    try {
      return lookup(table, id);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  boolean contains(ChunkId id) {
    return get(id) != null;
  }

  /** Adds or moves a chunk. */
  void put(ChunkId id, int pack, long offset, int length) {
    if (pack < 0 || pack > MAX_PACK_NUMBER || offset < 0 || offset > MAX_PACK_OFFSET) {
      throw new IllegalArgumentException("location out of range: pack " + pack + " @" + offset);
    }
    long stamp = lock.writeLock();
    try {
      Table t = table;
      if (t.size + 1 > (t.mask + 1) * MAX_LOAD) {
        t = grow(t);
      }
      int slot = t.find(id);
      if (slot >= 0) {
        payloadBytes += length - t.lengths[slot];
      } else {
        slot = -slot - 1;
        t.algorithms[slot] = id.algorithm().code();
        t.highs[slot] = id.high();
        t.lows[slot] = id.low();
        t.size++;
        payloadBytes += length;
      }
      t.places[slot] = ((long) pack << OFFSET_BITS) | offset;
      t.lengths[slot] = length;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Removes the chunk if it lies in {@code pack}; returns whether it did. */
  boolean removeIfIn(ChunkId id, int pack) {
    long stamp = lock.writeLock();
    try {
      Table t = table;
      int slot = t.find(id);
      if (slot < 0 || (int) (t.places[slot] >>> OFFSET_BITS) != pack) {
        return false;
      }
      payloadBytes -= t.lengths[slot];
      deleteSlot(t, slot);
      return true;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  long size() {
    long stamp = lock.readLock();
    try {
      return table.size;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  long payloadBytes() {
    long stamp = lock.readLock();
    try {
      return payloadBytes;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** Calls the action for every id, under the read lock: the action must not call back in. */
  void forEach(Consumer<ChunkId> action) {
    long stamp = lock.readLock();
    try {
      Table t = table;
      for (int i = 0; i <= t.mask; i++) {
        if (t.algorithms[i] != 0) {
          action.accept(new ChunkId(algorithmOf(t.algorithms[i]), t.highs[i], t.lows[i]));
        }
      }
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private static Location lookup(Table t, ChunkId id) {
    int slot = t.find(id);
    if (slot < 0) {
      return null;
    }
    long place = t.places[slot];
    return new Location((int) (place >>> OFFSET_BITS), place & OFFSET_MASK, t.lengths[slot]);
  }

  private Table grow(Table old) {
    Table t = new Table((old.mask + 1) * 2);
    for (int i = 0; i <= old.mask; i++) {
      if (old.algorithms[i] != 0) {
        int j = t.home(old.lows[i], old.highs[i]);
        while (t.algorithms[j] != 0) {
          j = (j + 1) & t.mask;
        }
        t.algorithms[j] = old.algorithms[i];
        t.highs[j] = old.highs[i];
        t.lows[j] = old.lows[i];
        t.places[j] = old.places[i];
        t.lengths[j] = old.lengths[i];
      }
    }
    t.size = old.size;
    table = t;
    return t;
  }

  /** Backward-shift deletion: pull later members of the cluster into the hole. */
  private static void deleteSlot(Table t, int slot) {
    int hole = slot;
    int i = slot;
    while (true) {
      i = (i + 1) & t.mask;
      if (t.algorithms[i] == 0) {
        break;
      }
      int home = t.home(t.lows[i], t.highs[i]);
      // Move the entry at i into the hole unless its home lies cyclically in (hole, i].
      boolean homeBetween = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
      if (!homeBetween) {
        t.algorithms[hole] = t.algorithms[i];
        t.highs[hole] = t.highs[i];
        t.lows[hole] = t.lows[i];
        t.places[hole] = t.places[i];
        t.lengths[hole] = t.lengths[i];
        hole = i;
      }
    }
    t.algorithms[hole] = 0;
    t.size--;
  }

  private static HashAlgorithm algorithmOf(byte code) {
    for (HashAlgorithm a : HashAlgorithm.values()) {
      if (a.code() == code) {
        return a;
      }
    }
    throw new IllegalStateException("index holds unknown algorithm code " + code);
  }
}
