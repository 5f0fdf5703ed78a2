package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.FastCdc;
import java.util.Objects;

/**
 * How a publication picks its chunker's sizes: from the size of its data stream (known before the
 * first cut: the files' sizes from the scan, or the bytes in memory), in a few power-of-two
 * classes.
 *
 * <p>Every chunk costs the same on every path (a request, a frame, a hash, an index entry, a
 * verify, a bitmap bit), so a 1 GiB file cut into ~14,000 chunks of 64 KiB spends its CPU on chunk
 * bookkeeping rather than bytes; BitTorrent picks ~1,000 to 2,000 pieces per torrent for the same
 * reason. The class aims at {@link #TARGET_CHUNKS} chunks: {@code avg = nextPow2(size /
 * TARGET_CHUNKS)}, within {@link #MIN_AVG_BYTES} (small files keep the 16/64/256 KiB defaults, and
 * their deduplication) and {@link #MAX_AVG_BYTES}; {@code min = avg / 4}, {@code max = avg * 4} (at
 * most {@link #MAX_CHUNK_BYTES}). Powers of two make the classes few, so successive versions of a
 * file of about the same size pick the same class and share chunks; and a version whose size
 * crossed a class boundary keeps its predecessor's class when that is a neighbour ({@link
 * #avgBytesFor(long, int)}), so a file hovering around a boundary does not flip at every version.
 * Only a file that changed size by more than a factor of two changes class, and then loses
 * deduplication against its older versions (deltas against the old chunks at the same file offset
 * still apply).
 *
 * <p>Nothing new is stored: the boundaries are data, and a reader needs only ids and spans. The
 * root records the sizes used, informational, which is where the next version reads them back.
 *
 * <p>Immutable and thread-safe.
 */
public final class ChunkSizing {
  /** Chunks a data stream is cut into, about, once past the smallest class. */
  public static final int TARGET_CHUNKS = 1024;

  /** The smallest class's average: the 64 KiB default, for every stream up to 64 MiB. */
  public static final int MIN_AVG_BYTES = FastCdc.DEFAULT_AVG_BYTES;

  /** The largest class's average: 1 MiB, for every stream past 512 MiB. */
  public static final int MAX_AVG_BYTES = 1 << 20;

  /**
   * Largest chunk of any class: 4 MiB less 64 KiB, so a chunk frame (its 31-byte header included)
   * fits the 4 MiB frame bound of every protocol-4 node, those built before classes included.
   */
  public static final int MAX_CHUNK_BYTES = FastCdc.LIMIT_MAX_BYTES - (64 << 10);

  private static final ChunkSizing BY_SIZE = new ChunkSizing(null);

  /** The fixed chunker, or null to choose by size. */
  private final FastCdc fixed;

  private ChunkSizing(FastCdc fixed) {
    this.fixed = fixed;
  }

  /** Sizes by the stream's size class, the default. */
  public static ChunkSizing bySize() {
    return BY_SIZE;
  }

  /** Always {@code chunker}, whatever the size (tests, benchmarks). */
  public static ChunkSizing fixed(FastCdc chunker) {
    return new ChunkSizing(Objects.requireNonNull(chunker, "chunker"));
  }

  /**
   * The chunker for a stream of {@code streamBytes}.
   *
   * @param previousAvgBytes the average the previous version of the name was cut with, 0 if none
   */
  public FastCdc chunkerFor(long streamBytes, int previousAvgBytes) {
    return fixed != null ? fixed : ofClass(avgBytesFor(streamBytes, previousAvgBytes));
  }

  /**
   * The class for {@code streamBytes}, or {@code previousAvgBytes} when that is the class of a size
   * within a factor of two of it (hysteresis across versions). Pure.
   */
  static int avgBytesFor(long streamBytes, int previousAvgBytes) {
    long size = Math.max(0, streamBytes);
    boolean near =
        isClassAvg(previousAvgBytes)
            && (avgBytesFor(size / 2) == previousAvgBytes
                || avgBytesFor(Math.min(size, Long.MAX_VALUE / 2) * 2) == previousAvgBytes);
    return near ? previousAvgBytes : avgBytesFor(size);
  }

  /** The class for {@code streamBytes}: a power of two in [64 KiB, 1 MiB]. Pure. */
  static int avgBytesFor(long streamBytes) {
    long wanted = streamBytes <= 0 ? 1 : (streamBytes - 1) / TARGET_CHUNKS + 1; // rounded up
    if (wanted >= MAX_AVG_BYTES) {
      return MAX_AVG_BYTES;
    }
    int pow2 = Integer.highestOneBit((int) wanted);
    int ceiling = pow2 == wanted ? pow2 : pow2 << 1;
    return Math.max(MIN_AVG_BYTES, Math.min(MAX_AVG_BYTES, ceiling));
  }

  /** Whether {@code avgBytes} is the average of a class. */
  static boolean isClassAvg(int avgBytes) {
    return Integer.bitCount(avgBytes) == 1
        && avgBytes >= MIN_AVG_BYTES
        && avgBytes <= MAX_AVG_BYTES;
  }

  /** The chunker of the class with average {@code avgBytes}; the default one for the smallest. */
  static FastCdc ofClass(int avgBytes) {
    if (!isClassAvg(avgBytes)) {
      throw new IllegalArgumentException("no chunk size class averages " + avgBytes + " bytes");
    }
    if (avgBytes == FastCdc.DEFAULT_AVG_BYTES) {
      return FastCdc.defaults();
    }
    return FastCdc.of(avgBytes / 4, avgBytes, Math.min(avgBytes * 4, MAX_CHUNK_BYTES));
  }

  @Override
  public String toString() {
    return fixed != null ? "ChunkSizing[" + fixed + "]" : "ChunkSizing[by size]";
  }
}
