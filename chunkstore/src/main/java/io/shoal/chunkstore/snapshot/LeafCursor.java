package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkId;
import java.io.IOException;

/**
 * Walks the data chunks of a tree in stream order, starting at the chunk that holds a given offset.
 * Loads index nodes on demand, each checked against the span its parent declares, and holds one per
 * level; gives at most {@link SnapshotReader#MAX_LEAVES} chunks. A chunk's {@link #length} is what
 * its parent declares: whoever reads the chunk checks the store's length against it ({@link
 * SnapshotReader#checkLeaf}). Not thread-safe.
 */
public final class LeafCursor {
  private final SnapshotReader reader;
  private final TreeRef tree;
  private final long startOffset;
  private final IndexNode[] nodes;
  private final int[] positions;
  private final long[] offsets;
  private boolean started;
  private boolean done;
  private ChunkId id;
  private long offset;
  private long length;
  private long leaves;

  public LeafCursor(SnapshotReader reader, TreeRef tree, long startOffset) {
    this.reader = reader;
    this.tree = tree;
    this.startOffset = startOffset;
    this.nodes = new IndexNode[tree.height() + 1];
    this.positions = new int[tree.height() + 1];
    this.offsets = new long[tree.height() + 1];
  }

  /** Moves to the next data chunk; false at the end. */
  public boolean next() throws IOException {
    if (done) {
      return false;
    }
    if (!started) {
      started = true;
      if (startOffset >= tree.sizeBytes() && tree.sizeBytes() > 0) {
        done = true;
        return false;
      }
      if (tree.height() == 0) {
        if (tree.sizeBytes() > IndexNode.MAX_LEAF_SPAN_BYTES) {
          throw new SnapshotStructureException(
              "tree of one chunk "
                  + tree.root()
                  + " claims "
                  + tree.sizeBytes()
                  + " bytes, more than a chunk holds");
        }
        id = tree.root();
        offset = 0;
        length = tree.sizeBytes();
        return true;
      }
      descend(tree.height(), tree.root(), 0, tree.sizeBytes(), startOffset);
      return true;
    }
    if (tree.height() == 0) {
      done = true;
      return false;
    }
    // Climb until a level has a next child, then descend to its first leaf.
    int h = 1;
    while (h <= tree.height()) {
      IndexNode node = nodes[h];
      int next = positions[h] + 1;
      if (next < node.childCount()) {
        offsets[h] += node.span(positions[h]);
        positions[h] = next;
        if (h == 1) {
          setLeaf(node, next, offsets[h]);
        } else {
          descend(h - 1, node.child(next), offsets[h], node.span(next), offsets[h]);
        }
        return true;
      }
      h++;
    }
    done = true;
    return false;
  }

  /**
   * Loads the node at height {@code h}, which spans {@code nodeSpan} bytes from {@code nodeOffset},
   * and walks down to the leaf holding {@code target}.
   */
  private void descend(int h, ChunkId nodeId, long nodeOffset, long nodeSpan, long target)
      throws IOException {
    ChunkId currentId = nodeId;
    long currentOffset = nodeOffset;
    long currentSpan = nodeSpan;
    for (int level = h; level >= 1; level--) {
      IndexNode node = reader.indexNode(currentId, level, currentSpan);
      nodes[level] = node;
      int i = 0;
      long childOffset = currentOffset;
      while (i < node.childCount() - 1 && childOffset + node.span(i) <= target) {
        childOffset += node.span(i);
        i++;
      }
      positions[level] = i;
      offsets[level] = childOffset;
      if (level == 1) {
        setLeaf(node, i, childOffset);
      } else {
        currentId = node.child(i);
        currentOffset = childOffset;
        currentSpan = node.span(i);
      }
    }
  }

  private void setLeaf(IndexNode node, int i, long at) throws SnapshotStructureException {
    if (++leaves > SnapshotReader.MAX_LEAVES) {
      throw TreeWalk.tooManyLeaves(tree);
    }
    id = node.child(i);
    offset = at;
    length = node.span(i);
  }

  public ChunkId id() {
    return id;
  }

  /** Offset of the current chunk's first byte in the stream. */
  public long offset() {
    return offset;
  }

  public int length() {
    return (int) length;
  }
}
