package io.shoal.node.core;

import java.util.Arrays;
import java.util.BitSet;

/**
 * A set of data-chunk indexes, immutable. On the wire it is run-length encoded (alternating runs of
 * absent and present indexes), which keeps the typical bitmap of a partial holder (a few long runs)
 * a few bytes long.
 *
 * <p>In memory it keeps the present runs, never a bit per index: a bitmap decoded from a peer's
 * frame costs memory in proportion to the frame's bytes, whatever length it claims (a 10-byte frame
 * claiming {@link #MAX_BITS} present indexes used to cost an 8 MiB {@link BitSet}). Only {@link
 * #toBitSet} expands it, once the receiver has checked its length against the snapshot's known
 * count of data chunks.
 */
public final class ChunkBitmap {
  /** Most data chunks a snapshot may have for bitmaps: 64 Mi (4 TiB at 64 KiB). */
  public static final int MAX_BITS = 1 << 26;

  private static final ChunkBitmap EMPTY = new ChunkBitmap(new int[0], 0);

  /** Present runs: {@code [bounds[2k], bounds[2k+1])}, ascending, non-empty, not touching. */
  private final int[] bounds;

  private final int length;

  private ChunkBitmap(int[] bounds, int length) {
    this.bounds = bounds;
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
    int[] b = new int[16];
    int n = 0;
    for (int start = bits.nextSetBit(0); start >= 0; ) {
      int end = bits.nextClearBit(start);
      if (n + 2 > b.length) {
        b = Arrays.copyOf(b, b.length * 2);
      }
      b[n++] = start;
      b[n++] = end;
      start = end < length ? bits.nextSetBit(end) : -1;
    }
    return new ChunkBitmap(Arrays.copyOf(b, n), length);
  }

  public boolean get(int index) {
    // The last run starting at or before index holds it if it ends after it.
    int lo = 0;
    int hi = bounds.length / 2 - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (bounds[2 * mid] <= index) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return hi >= 0 && index < bounds[2 * hi + 1];
  }

  public int length() {
    return length;
  }

  public int cardinality() {
    int c = 0;
    for (int i = 0; i < bounds.length; i += 2) {
      c += bounds[i + 1] - bounds[i];
    }
    return c;
  }

  /** Present runs held: the memory this bitmap costs is proportional to it. */
  public int presentRuns() {
    return bounds.length / 2;
  }

  /** The bits, expanded: up to {@link #length} / 8 bytes. */
  public BitSet toBitSet() {
    BitSet bits = new BitSet();
    for (int i = 0; i < bounds.length; i += 2) {
      bits.set(bounds[i], bounds[i + 1]);
    }
    return bits;
  }

  /** Run lengths, starting with a run of absent indexes (possibly 0). */
  public int[] runs() {
    int[] runs = new int[bounds.length + 1];
    int n = 0;
    int at = 0;
    for (int i = 0; i < bounds.length; i += 2) {
      runs[n++] = bounds[i] - at;
      runs[n++] = bounds[i + 1] - bounds[i];
      at = bounds[i + 1];
    }
    if (at < length) {
      runs[n++] = length - at;
    }
    return Arrays.copyOf(runs, n);
  }

  /**
   * Rebuilds a bitmap from run lengths; refuses a negative run and runs that exceed {@code length}.
   * Empty runs are allowed and merged, so the memory held is at most one pair of ints per two runs.
   */
  public static ChunkBitmap fromRuns(int length, int[] runs) {
    if (length < 0 || length > MAX_BITS) {
      throw new IllegalArgumentException("bitmap length " + length + " out of range");
    }
    int[] b = new int[Math.min(runs.length + 1, 16)];
    int n = 0;
    long at = 0;
    boolean present = false;
    for (int run : runs) {
      if (run < 0 || at + run > length) {
        throw new IllegalArgumentException("bitmap runs exceed its length " + length);
      }
      if (present && run > 0) {
        if (n > 0 && b[n - 1] == at) {
          b[n - 1] = (int) (at + run); // an empty absent run between: one present run
        } else {
          if (n + 2 > b.length) {
            b = Arrays.copyOf(b, Math.max(b.length * 2, 4));
          }
          b[n++] = (int) at;
          b[n++] = (int) (at + run);
        }
      }
      at += run;
      present = !present;
    }
    return new ChunkBitmap(Arrays.copyOf(b, n), length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkBitmap b && b.length == length && Arrays.equals(b.bounds, bounds);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bounds) * 31 + length;
  }

  @Override
  public String toString() {
    return "ChunkBitmap[" + cardinality() + "/" + length + "]";
  }
}
