package io.shoal.gossip.views;

/**
 * The broadcast messages a node has seen, by id, oldest out first: duplicates are recognized and
 * GRAFTs answered for the last {@link ViewConfig#MESSAGE_CACHE_ENTRIES}. A ring of ids and payloads
 * with an open-addressing index (linear probing, deletion by backward shift), in primitive arrays
 * that grow on demand: a simulated node that sees few messages holds little. Not thread-safe.
 */
final class MessageCache {
  private static final int INITIAL_CAPACITY = 16;

  private final int maxEntries;
  private long[] ids = new long[INITIAL_CAPACITY];
  private byte[][] payloads = new byte[INITIAL_CAPACITY][];
  private int head;
  private int size;

  /**
   * Index, twice the ring's length: each bucket's id, and its ring position + 1 (0: empty). The id
   * sits in the bucket itself so a lookup reads one place, not the bucket and then the ring.
   */
  private int[] index = new int[INITIAL_CAPACITY * 2];

  private long[] keys = new long[INITIAL_CAPACITY * 2];

  MessageCache(int maxEntries) {
    if (Integer.bitCount(maxEntries) != 1 || maxEntries < INITIAL_CAPACITY) {
      throw new IllegalArgumentException("maxEntries must be a power of two >= 16: " + maxEntries);
    }
    this.maxEntries = maxEntries;
  }

  int size() {
    return size;
  }

  boolean contains(long id) {
    return find(id) >= 0;
  }

  /** The payload of {@code id}, or null when it is not (or no longer) held. */
  byte[] get(long id) {
    int b = find(id);
    return b < 0 ? null : payloads[index[b] - 1];
  }

  /** Remembers {@code id}, which must not be held, evicting the oldest when full. */
  void put(long id, byte[] payload) {
    if (size == ids.length) {
      if (ids.length < maxEntries) {
        grow();
      } else {
        evictOldest();
      }
    }
    int pos = (head + size) & (ids.length - 1);
    ids[pos] = id;
    payloads[pos] = payload;
    size++;
    int mask = index.length - 1;
    int b = bucket(id, mask);
    while (index[b] != 0) {
      b = (b + 1) & mask;
    }
    index[b] = pos + 1;
    keys[b] = id;
  }

  private void evictOldest() {
    int b = find(ids[head]);
    payloads[head] = null;
    head = (head + 1) & (ids.length - 1);
    size--;
    removeBucket(b);
  }

  private void grow() {
    int n = ids.length * 2;
    long[] newIds = new long[n];
    byte[][] newPayloads = new byte[n][];
    for (int i = 0; i < size; i++) {
      int pos = (head + i) & (ids.length - 1);
      newIds[i] = ids[pos];
      newPayloads[i] = payloads[pos];
    }
    ids = newIds;
    payloads = newPayloads;
    head = 0;
    index = new int[n * 2];
    keys = new long[n * 2];
    int mask = index.length - 1;
    for (int i = 0; i < size; i++) {
      int b = bucket(ids[i], mask);
      while (index[b] != 0) {
        b = (b + 1) & mask;
      }
      index[b] = i + 1;
      keys[b] = ids[i];
    }
  }

  /** The bucket holding {@code id}, or -1. */
  private int find(long id) {
    int mask = index.length - 1;
    for (int b = bucket(id, mask); index[b] != 0; b = (b + 1) & mask) {
      if (keys[b] == id) {
        return b;
      }
    }
    return -1;
  }

  /** Empties bucket {@code hole} and shifts later entries of its probe run back into place. */
  private void removeBucket(int hole) {
    int mask = index.length - 1;
    index[hole] = 0;
    for (int j = (hole + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
      int home = bucket(keys[j], mask);
      boolean movable = ((j - home) & mask) >= ((j - hole) & mask);
      if (movable) {
        index[hole] = index[j];
        keys[hole] = keys[j];
        index[j] = 0;
        hole = j;
      }
    }
  }

  private static int bucket(long id, int mask) {
    long h = id * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
