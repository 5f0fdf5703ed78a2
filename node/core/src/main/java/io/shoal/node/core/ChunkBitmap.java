package io.shoal.node.core;

import java.util.BitSet;

/**
 * A set of data-chunk indexes, immutable. On the wire it is run-length encoded (alternating runs of
 * absent and present indexes), which keeps the typical bitmap of a partial holder (a few long runs)
 * a few bytes long.
 */
public final class ChunkBitmap {
  /** Most data chunks a snapshot may have for bitmaps: 64 Mi (4 TiB at 64 KiB). */
  public static final int MAX_BITS = 1 << 26;

  private static final ChunkBitmap EMPTY = new ChunkBitmap(new BitSet(), 0);

  private final BitSet bits;
  private final int length;

  private ChunkBitmap(BitSet bits, int length) {
    this.bits = bits;
    this.length = length;
  }

  public static ChunkBitmap empty() {
    return EMPTY;
  }

  /** A copy of {@code bits}, over {@code length} indexes. */
  public static ChunkBitmap of(BitSet bits, int length) {
    if (length < 0 || length > MAX_BITS || bits.length() > length) {
      throw new IllegalArgumentException(
          "bitmap of " + length + " bits holding bit " + (bits.length() - 1));
    }
    return new ChunkBitmap((BitSet) bits.clone(), length);
  }

  public boolean get(int index) {
    return bits.get(index);
  }

  public int length() {
    return length;
  }

  public int cardinality() {
    return bits.cardinality();
  }

  /** A copy of the bits. */
  public BitSet toBitSet() {
    return (BitSet) bits.clone();
  }

  /** Run lengths, starting with a run of absent indexes (possibly 0). */
  public int[] runs() {
    int[] runs = new int[16];
    int n = 0;
    int at = 0;
    boolean present = false;
    while (at < length) {
      int next = present ? bits.nextClearBit(at) : bits.nextSetBit(at);
      if (next < 0 || next > length) {
        next = length;
      }
      if (n == runs.length) {
        runs = java.util.Arrays.copyOf(runs, n * 2);
      }
      runs[n++] = next - at;
      at = next;
      present = !present;
    }
    return java.util.Arrays.copyOf(runs, n);
  }

  /** Rebuilds a bitmap from run lengths; refuses runs that exceed {@code length}. */
  public static ChunkBitmap fromRuns(int length, int[] runs) {
    if (length < 0 || length > MAX_BITS) {
      throw new IllegalArgumentException("bitmap length " + length + " out of range");
    }
    BitSet bits = new BitSet();
    long at = 0;
    boolean present = false;
    for (int run : runs) {
      if (run < 0 || at + run > length) {
        throw new IllegalArgumentException("bitmap runs exceed its length " + length);
      }
      if (present) {
        bits.set((int) at, (int) (at + run));
      }
      at += run;
      present = !present;
    }
    return new ChunkBitmap(bits, length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkBitmap b && b.length == length && b.bits.equals(bits);
  }

  @Override
  public int hashCode() {
    return bits.hashCode() * 31 + length;
  }

  @Override
  public String toString() {
    return "ChunkBitmap[" + cardinality() + "/" + length + "]";
  }
}
