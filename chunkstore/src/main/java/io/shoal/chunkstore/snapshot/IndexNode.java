package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FastCdc;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.FormatReader;
import io.shoal.chunkstore.HashAlgorithm;
import java.nio.ByteBuffer;

/**
 * An inner node of a chunk tree: the ids of its children, in stream order, each with the number of
 * stream bytes below it. Children of a level-1 node are data chunks; children of a level-k node are
 * level-(k-1) nodes. Children use the algorithm of the node's own id.
 *
 * <pre>
 * +------+---------+-------+-------+--------------------------------+
 * | SHIX | version | level | count | count x (digest 16, span u64)  |
 * |  4   |    1    |   1   |   2   |            24 each             |
 * +------+---------+-------+-------+--------------------------------+
 * </pre>
 *
 * Immutable.
 */
public final class IndexNode {
  static final int MAGIC = 0x5348_4958; // "SHIX"
  static final int VERSION = 1;
  static final int HEADER_BYTES = 8;
  static final int ENTRY_BYTES = 24;

  /** Most children a node may have; bounds a node at 96 KiB. */
  public static final int MAX_CHILDREN = 4096;

  /**
   * Largest span of a level-1 node's child: a data chunk is at most the chunker's limit, so a
   * larger span can only be a lie about the chunk below it.
   */
  public static final long MAX_LEAF_SPAN_BYTES = FastCdc.LIMIT_MAX_BYTES;

  private final int level;
  private final HashAlgorithm algorithm;
  private final long[] highs;
  private final long[] lows;
  private final long[] spans;
  private final long totalSpan;

  IndexNode(int level, HashAlgorithm algorithm, long[] highs, long[] lows, long[] spans) {
    this.level = level;
    this.algorithm = algorithm;
    this.highs = highs;
    this.lows = lows;
    this.spans = spans;
    long total = 0;
    for (long s : spans) {
      total += s;
    }
    this.totalSpan = total;
  }

  public int level() {
    return level;
  }

  public int childCount() {
    return spans.length;
  }

  public ChunkId child(int i) {
    return new ChunkId(algorithm, highs[i], lows[i]);
  }

  /** Stream bytes below child {@code i}. */
  public long span(int i) {
    return spans[i];
  }

  /** Stream bytes below this node. */
  public long totalSpan() {
    return totalSpan;
  }

  /** Approximate heap bytes, for cache weights. */
  int heapBytes() {
    return 64 + spans.length * 24;
  }

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + spans.length * ENTRY_BYTES);
    b.putInt(MAGIC).put((byte) VERSION).put((byte) level).putShort((short) spans.length);
    for (int i = 0; i < spans.length; i++) {
      b.putLong(highs[i]).putLong(lows[i]).putLong(spans[i]);
    }
    return b.array();
  }

  /**
   * Decodes a node read under {@code id}, checking that it has the expected level and that every
   * span is positive (only a stream of zero bytes has an empty chunk, and that stream is one chunk
   * with no index node), and at most {@link #MAX_LEAF_SPAN_BYTES} below a level-1 node.
   *
   * @throws FormatException on any malformation
   */
  static IndexNode decode(ChunkId id, int expectedLevel, ByteBuffer bytes) throws FormatException {
    FormatReader r = new FormatReader(bytes, "index node " + id);
    r.expectMagic(MAGIC);
    r.version(1, VERSION, VERSION);
    int level = r.u8("level");
    if (level != expectedLevel) {
      throw r.error("level " + level + ", but its parent expects level " + expectedLevel);
    }
    int count = r.u16("child count");
    if (count == 0 || count > MAX_CHILDREN) {
      throw r.error("child count " + count + " outside 1.." + MAX_CHILDREN);
    }
    if (r.remaining() != count * ENTRY_BYTES) {
      throw r.error(r.remaining() + " bytes of entries for " + count + " children");
    }
    long[] highs = new long[count];
    long[] lows = new long[count];
    long[] spans = new long[count];
    long total = 0;
    for (int i = 0; i < count; i++) {
      ChunkId c = r.chunkId(id.algorithm(), "child");
      highs[i] = c.high();
      lows[i] = c.low();
      spans[i] = r.u64("span", level == 1 ? MAX_LEAF_SPAN_BYTES : Long.MAX_VALUE);
      if (spans[i] == 0) {
        throw r.error("child " + i + " has span 0");
      }
      total += spans[i];
      if (total < 0) {
        throw r.error("spans overflow");
      }
    }
    return new IndexNode(level, id.algorithm(), highs, lows, spans);
  }
}
