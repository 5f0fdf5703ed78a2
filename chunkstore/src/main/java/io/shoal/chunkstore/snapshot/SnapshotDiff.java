package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The chunks one snapshot has that another lacks: what moves when a node holding {@code have} wants
 * {@code want}. Both DAGs are walked, but an index node of {@code want} that {@code have} also
 * contains is skipped whole, so equal subtrees cost nothing.
 */
public final class SnapshotDiff {
  /**
   * The chunks of {@code want} missing from {@code have}.
   *
   * @param ids the missing chunks (root, index nodes, data), each once, in walk order
   * @param bytes their total payload
   * @param dataChunks how many of them are data chunks
   * @param dataBytes payload of the missing data chunks
   * @param sharedDataBytes bytes of {@code want}'s data stream that need not move: covered by
   *     chunks {@code have} holds, or repeating a chunk already counted
   */
  public record Delta(
      List<ChunkId> ids, long bytes, long dataChunks, long dataBytes, long sharedDataBytes) {}

  private SnapshotDiff() {}

  /** Every node of a snapshot: root, and both trees' index nodes and data chunks. */
  public static Set<ChunkId> allChunks(SnapshotReader reader, ChunkId rootId) throws IOException {
    Set<ChunkId> all = new HashSet<>();
    all.add(rootId);
    SnapshotRoot root = reader.root(rootId);
    for (TreeRef tree : List.of(root.data(), root.fileTable())) {
      // A subtree seen once is not walked again: a DAG may repeat one 4,096 times per level.
      reader.walk(tree, (id, height, offset, span) -> all.add(id));
    }
    return all;
  }

  public static Delta between(SnapshotReader reader, ChunkId have, ChunkId want)
      throws IOException {
    Set<ChunkId> known = allChunks(reader, have);
    Set<ChunkId> seen = new HashSet<>();
    List<ChunkId> ids = new ArrayList<>();
    long[] totals = new long[3]; // bytes, data chunks, data bytes
    SnapshotRoot wanted = reader.root(want);
    if (!known.contains(want)) {
      seen.add(want);
      ids.add(want);
      totals[0] += reader.store().length(want);
      List<TreeRef> trees = List.of(wanted.data(), wanted.fileTable());
      for (int t = 0; t < trees.size(); t++) {
        TreeRef tree = trees.get(t);
        boolean isData = t == 0;
        reader.walk(
            tree,
            (id, height, offset, span) -> {
              if (known.contains(id) || !seen.add(id)) {
                return false;
              }
              ids.add(id);
              totals[0] += height == 0 ? span : reader.store().length(id);
              if (height == 0 && isData) {
                totals[1]++;
                totals[2] += span;
              }
              return true;
            });
      }
    }
    return new Delta(
        List.copyOf(ids), totals[0], totals[1], totals[2], wanted.data().sizeBytes() - totals[2]);
  }
}
