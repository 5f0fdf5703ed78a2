package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.VerifiedChunk;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the index nodes above a stream of chunks, streaming: each finished node goes to the sink
 * at once, and memory holds one unfinished node per level.
 *
 * <p>Node boundaries are content-defined, as in a Prolly tree: a node ends after a child whose id
 * has its low {@link #TARGET_FANOUT_BITS} bits zero (and at least {@link #MIN_CHILDREN} children),
 * or when it reaches {@link IndexNode#MAX_CHILDREN}. Since ids are uniform digests, nodes average
 * 256 children, and a changed chunk changes only the nodes on its path to the root (plus at most a
 * neighbour when it moves a boundary), whatever it does to the count of chunks. A fixed fan-out
 * would instead rewrite every node after an insertion.
 *
 * <p>Not thread-safe.
 */
public final class TreeBuilder {
  static final int TARGET_FANOUT_BITS = 8;
  static final int MIN_CHILDREN = 4;

  /** Receives each index node as it is finished. */
  @FunctionalInterface
  public interface NodeSink {
    void accept(VerifiedChunk node) throws IOException;
  }

  private final HashAlgorithm algorithm;
  private final NodeSink sink;

  /** pending.get(k): the children, collected so far, of the next node of level k + 1. */
  private final List<Level> pending = new ArrayList<>();

  private static final class Level {
    long[] highs = new long[64];
    long[] lows = new long[64];
    long[] spans = new long[64];
    int count;
    long emitted;

    void add(ChunkId id, long span) {
      if (count == spans.length) {
        int n = Math.min(count * 2, IndexNode.MAX_CHILDREN);
        highs = java.util.Arrays.copyOf(highs, n);
        lows = java.util.Arrays.copyOf(lows, n);
        spans = java.util.Arrays.copyOf(spans, n);
      }
      highs[count] = id.high();
      lows[count] = id.low();
      spans[count] = span;
      count++;
    }
  }

  public TreeBuilder(HashAlgorithm algorithm, NodeSink sink) {
    this.algorithm = algorithm;
    this.sink = sink;
  }

  /** Adds the next data chunk of the stream. */
  public void add(ChunkId chunk, long length) throws IOException {
    addAt(0, chunk, length);
  }

  private void addAt(int k, ChunkId id, long span) throws IOException {
    if (k == pending.size()) {
      pending.add(new Level());
    }
    Level level = pending.get(k);
    level.add(id, span);
    boolean boundary =
        (id.low() & ((1 << TARGET_FANOUT_BITS) - 1)) == 0 && level.count >= MIN_CHILDREN;
    if (boundary || level.count == IndexNode.MAX_CHILDREN) {
      emit(k);
    }
  }

  private void emit(int k) throws IOException {
    Level level = pending.get(k);
    int n = level.count;
    IndexNode node =
        new IndexNode(
            k + 1,
            algorithm,
            java.util.Arrays.copyOf(level.highs, n),
            java.util.Arrays.copyOf(level.lows, n),
            java.util.Arrays.copyOf(level.spans, n));
    level.count = 0;
    level.emitted++;
    VerifiedChunk chunk = VerifiedChunk.hash(algorithm, node.encode());
    sink.accept(chunk);
    addAt(k + 1, chunk.id(), node.totalSpan());
  }

  /**
   * Finishes the tree and returns its top.
   *
   * @throws IllegalStateException when no chunk was added (an empty stream is one empty chunk)
   */
  public TreeRef finish() throws IOException {
    if (pending.isEmpty() || (pending.get(0).count == 0 && pending.get(0).emitted == 0)) {
      throw new IllegalStateException("a tree needs at least one chunk");
    }
    for (int k = 0; ; k++) {
      Level level = pending.get(k);
      boolean top = level.emitted == 0;
      if (top && level.count == 1) {
        return new TreeRef(
            new ChunkId(algorithm, level.highs[0], level.lows[0]), level.spans[0], k);
      }
      if (level.count > 0) {
        emit(k);
      }
    }
  }
}
