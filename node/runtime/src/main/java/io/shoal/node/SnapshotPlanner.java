package io.shoal.node;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.snapshot.LeafCursor;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.chunkstore.snapshot.SnapshotStructureException;
import io.shoal.node.core.ChunkBitmap;
import io.shoal.node.core.FetchCore.Wanted;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a store lacks of a snapshot, found by walking the snapshot's DAG through the chunks the
 * store already has: the missing metadata (root, index nodes, file table) that blocks the walk,
 * and, once the data tree's index nodes are all present, each missing data chunk with its index,
 * offset and size. Chunks the store holds are never asked for: this is what makes a
 * version-to-version fetch move only the delta, and a restarted fetch resume.
 *
 * <p>Hostile DAGs are bounded: each distinct node is walked once, every span is checked against the
 * children it covers, and the data chunks are counted (without expanding a repeated subtree)
 * against {@link ChunkBitmap#MAX_BITS} before any list is built.
 *
 * <p>Blocking (reads the store); run it off event loops.
 */
final class SnapshotPlanner {
  /**
   * A plan.
   *
   * @param root the decoded root, or null while it is missing
   * @param missingMetadata metadata chunks to fetch first
   * @param metadataComplete whether the data chunks below are the full list
   * @param missingData data chunks to fetch (valid when metadata is complete)
   * @param totalLeaves data chunks in the snapshot (0 until known)
   * @param have data chunks the store holds, by index
   */
  record Plan(
      SnapshotRoot root,
      List<Wanted> missingMetadata,
      boolean metadataComplete,
      List<Wanted> missingData,
      int totalLeaves,
      ChunkBitmap have) {}

  private SnapshotPlanner() {}

  static Plan plan(SnapshotReader reader, ChunkId rootId) throws IOException {
    ChunkStore store = reader.store();
    if (!store.contains(rootId)) {
      return new Plan(
          null, List.of(new Wanted(rootId, 0, -1, -1)), false, List.of(), 0, ChunkBitmap.empty());
    }
    SnapshotRoot root = reader.root(rootId);
    Set<ChunkId> missing = new LinkedHashSet<>();
    // A node seen once is not walked again: a hostile DAG may list one child 4,096 times per level.
    Set<ChunkId> seen = new HashSet<>();
    // The file table is metadata in full: its index nodes and its data chunks.
    reader.walk(
        root.fileTable(),
        (id, height, offset, span) -> {
          if (!seen.add(id)) {
            return false;
          }
          boolean present = store.contains(id);
          if (!present) {
            missing.add(id);
          }
          return present;
        });
    boolean[] dataIndexMissing = {false};
    reader.walk(
        root.data(),
        (id, height, offset, span) -> {
          if (height == 0 || !seen.add(id)) {
            return false;
          }
          boolean present = store.contains(id);
          if (!present) {
            missing.add(id);
            dataIndexMissing[0] = true;
          }
          return present;
        });
    List<Wanted> metadata = new ArrayList<>();
    for (ChunkId id : missing) {
      metadata.add(new Wanted(id, 0, -1, -1));
    }
    if (dataIndexMissing[0]) {
      return new Plan(root, metadata, false, List.of(), 0, ChunkBitmap.empty());
    }
    // Counted first, each distinct index node once: a tree past the bound fails here, before a
    // list of its chunks is built.
    long leaves = reader.leafCount(root.data());
    if (leaves > ChunkBitmap.MAX_BITS) {
      throw tooManyLeaves(root, leaves);
    }
    List<Wanted> data = new ArrayList<>();
    BitSet have = new BitSet();
    LeafCursor cursor = new LeafCursor(reader, root.data(), 0);
    int index = 0;
    while (cursor.next()) { // at most leaves (counted above) and LeafCursor's own cap
      if (store.contains(cursor.id())) {
        reader.checkLeaf(cursor.id(), cursor.length());
        have.set(index);
      } else {
        data.add(new Wanted(cursor.id(), cursor.length(), cursor.offset(), index));
      }
      index++;
    }
    return new Plan(root, metadata, metadata.isEmpty(), data, index, ChunkBitmap.of(have, index));
  }

  private static SnapshotStructureException tooManyLeaves(SnapshotRoot root, long leaves) {
    return new SnapshotStructureException(
        root.label()
            + " has "
            + leaves
            + " data chunks or more, more than a fetch supports ("
            + ChunkBitmap.MAX_BITS
            + ")");
  }
}
