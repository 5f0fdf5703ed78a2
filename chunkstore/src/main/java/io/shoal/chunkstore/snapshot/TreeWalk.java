package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkId;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Iterative walks of a chunk tree, with an explicit stack of one frame per level (at most {@link
 * TreeRef#MAX_HEIGHT} + 1), so a tall or hostile tree cannot overflow the thread's stack.
 *
 * <p>A snapshot is a DAG, not a tree: an index node may list the same child many times (a run of
 * zeros gives identical chunks and identical nodes), and a hostile one can make 40 levels of 4,096
 * references to one child, 4,096^40 paths through 40 chunks. Each node read here has its total span
 * checked against the span its parent declares for it ({@link SnapshotReader#indexNode}), and every
 * walk is bounded: {@link #walk} by visits, {@link #leafCount} by distinct index nodes (it expands
 * each once) and by leaves.
 */
final class TreeWalk {
  private TreeWalk() {}

  /** See {@link SnapshotReader#walk}. */
  static void walk(SnapshotReader reader, TreeRef tree, SnapshotReader.NodeVisitor visitor)
      throws IOException {
    long[] visits = {0};
    if (!visit(visitor, tree, tree.root(), tree.height(), 0, tree.sizeBytes(), visits)
        || tree.height() == 0) {
      return;
    }
    int top = tree.height();
    IndexNode[] nodes = new IndexNode[top + 1];
    int[] next = new int[top + 1];
    long[] offsets = new long[top + 1];
    nodes[top] = reader.indexNode(tree.root(), top, tree.sizeBytes());
    int h = top;
    while (h <= top) {
      IndexNode node = nodes[h];
      if (next[h] == node.childCount()) {
        h++;
        continue;
      }
      int i = next[h]++;
      long at = offsets[h];
      offsets[h] += node.span(i);
      ChunkId child = node.child(i);
      int below = h - 1;
      if (visit(visitor, tree, child, below, at, node.span(i), visits) && below > 0) {
        nodes[below] = reader.indexNode(child, below, node.span(i));
        next[below] = 0;
        offsets[below] = at;
        h = below;
      }
    }
  }

  private static boolean visit(
      SnapshotReader.NodeVisitor visitor,
      TreeRef tree,
      ChunkId id,
      int height,
      long offset,
      long span,
      long[] visits)
      throws IOException {
    if (++visits[0] > SnapshotReader.MAX_WALK_VISITS) {
      throw new SnapshotStructureException(
          "walking the tree of "
              + tree.root()
              + " visits more than "
              + SnapshotReader.MAX_WALK_VISITS
              + " nodes");
    }
    return visitor.visit(id, height, offset, span);
  }

  /** An index node already counted: its leaves, and what to check other references against. */
  private record Counted(long leaves, int level, long spanBytes) {}

  /** See {@link SnapshotReader#leafCount}. */
  static long leafCount(SnapshotReader reader, TreeRef tree) throws IOException {
    if (tree.height() == 0) {
      return 1;
    }
    int top = tree.height();
    Map<ChunkId, Counted> counted = new HashMap<>();
    IndexNode[] nodes = new IndexNode[top + 1];
    ChunkId[] ids = new ChunkId[top + 1];
    int[] next = new int[top + 1];
    long[] leaves = new long[top + 1];
    nodes[top] = reader.indexNode(tree.root(), top, tree.sizeBytes());
    ids[top] = tree.root();
    int h = top;
    while (true) {
      IndexNode node = nodes[h];
      if (h == 1 || next[h] == node.childCount()) {
        long n = h == 1 ? node.childCount() : leaves[h];
        if (h == top) {
          return n;
        }
        counted.put(ids[h], new Counted(n, h, node.totalSpan()));
        if (counted.size() > SnapshotReader.MAX_INDEX_NODES) {
          throw new SnapshotStructureException(
              "the tree of "
                  + tree.root()
                  + " has more than "
                  + SnapshotReader.MAX_INDEX_NODES
                  + " distinct index nodes");
        }
        h++;
        add(tree, leaves, h, n);
        continue;
      }
      int i = next[h]++;
      ChunkId child = node.child(i);
      Counted c = counted.get(child);
      if (c == null) {
        nodes[h - 1] = reader.indexNode(child, h - 1, node.span(i));
        ids[h - 1] = child;
        next[h - 1] = 0;
        leaves[h - 1] = 0;
        h--;
      } else if (c.level() != h - 1) {
        throw new SnapshotStructureException(
            "index node " + child + " has level " + c.level() + ", expected " + (h - 1));
      } else if (c.spanBytes() != node.span(i)) {
        throw SnapshotReader.spanMismatch(child, c.spanBytes(), node.span(i));
      } else {
        add(tree, leaves, h, c.leaves());
      }
    }
  }

  private static void add(TreeRef tree, long[] leaves, int h, long n)
      throws SnapshotStructureException {
    leaves[h] += n;
    if (leaves[h] > SnapshotReader.MAX_LEAVES) {
      throw tooManyLeaves(tree);
    }
  }

  static SnapshotStructureException tooManyLeaves(TreeRef tree) {
    return new SnapshotStructureException(
        "the tree of "
            + tree.root()
            + " has more than "
            + SnapshotReader.MAX_LEAVES
            + " data chunks");
  }
}
