package io.shoal.sim;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Signature;
import io.shoal.node.core.ChunkBitmap;
import io.shoal.node.core.FetchCore;
import io.shoal.node.core.TransferSession;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot as the simulator sees it: a root (the one metadata chunk, sized like the index nodes
 * of that many leaves) and data chunks in stream order, as numbers in the run's {@link
 * ChunkUniverse}. Ids are drawn from the seed; equal content keeps equal ids across versions.
 */
final class SnapshotModel {
  /**
   * The publisher every simulated snapshot names: the simulator models the protocol, not its
   * signatures ({@link io.shoal.gossip.ClaimAuthority#unsigned()}).
   */
  static final NodeId PUBLISHER = new NodeId(0, 0);

  /** Bytes of index per data chunk (a child id and its size), as in the real index nodes. */
  static final int INDEX_BYTES_PER_LEAF = 24;

  final String name;
  final long version;
  final ChunkId root;
  final int rootIndex;

  /** Metadata chunks, the root first (virtual snapshots have only the root). */
  final int[] metadata;

  final int[] leaves;
  final long bytes;
  private final Map<Integer, int[]> leavesOfChunk = new HashMap<>();

  private SnapshotModel(
      String name,
      long version,
      ChunkId root,
      int rootIndex,
      int[] metadata,
      int[] leaves,
      long bytes) {
    this.name = name;
    this.version = version;
    this.root = root;
    this.rootIndex = rootIndex;
    this.metadata = metadata;
    this.leaves = leaves;
    this.bytes = bytes;
    Map<Integer, Integer> counts = new HashMap<>();
    for (int c : leaves) {
      counts.merge(c, 1, Integer::sum);
    }
    Map<Integer, Integer> filled = new HashMap<>();
    for (int i = 0; i < leaves.length; i++) {
      int c = leaves[i];
      int[] at = leavesOfChunk.computeIfAbsent(c, k -> new int[counts.get(k)]);
      at[filled.merge(c, 1, Integer::sum) - 1] = i;
    }
  }

  /** This snapshot as a catalog announces it. */
  HeldVersion held(boolean complete) {
    return new HeldVersion(version, root, complete, bytes, PUBLISHER, Signature.NONE);
  }

  /** A snapshot of {@code bytes} in chunks of {@code chunkBytes}, each chunk new. */
  static SnapshotModel generate(
      ChunkUniverse universe, String name, long version, long bytes, int chunkBytes, long seed) {
    int n = (int) Math.max(1, (bytes + chunkBytes - 1) / chunkBytes);
    int[] leaves = new int[n];
    for (int i = 0; i < n; i++) {
      int size = (int) Math.min(chunkBytes, Math.max(1, bytes - (long) i * chunkBytes));
      leaves[i] = universe.add(id(seed, name.hashCode(), version, i), size);
    }
    return withLeaves(universe, name, version, leaves, seed);
  }

  /**
   * The next version: {@code changePercent} of the chunks replaced, in ten runs spread over the
   * stream (as a 1% edit in ten places).
   */
  SnapshotModel next(ChunkUniverse universe, double changePercent, long seed) {
    int[] next = leaves.clone();
    int changed = (int) Math.ceil(leaves.length * changePercent / 100.0);
    int runs = Math.min(10, Math.max(1, changed));
    int perRun = Math.max(1, changed / runs);
    long v = version + 1;
    for (int r = 0; r < runs; r++) {
      int start = (int) ((long) leaves.length * r / runs);
      for (int i = start; i < Math.min(leaves.length, start + perRun); i++) {
        next[i] = universe.add(id(seed, name.hashCode(), v, i), universe.size(leaves[i]));
      }
    }
    return withLeaves(universe, name, v, next, seed);
  }

  /** The data chunk indexes holding chunk {@code chunk}, or null. */
  int[] leavesOf(int chunk) {
    return leavesOfChunk.get(chunk);
  }

  private static SnapshotModel withLeaves(
      ChunkUniverse universe, String name, long version, int[] leaves, long seed) {
    long h = Mix.fold(seed, version);
    long bytes = 0;
    for (int c : leaves) {
      h = Mix.fold(h, universe.id(c).low());
      bytes += universe.size(c);
    }
    ChunkId root = new ChunkId(HashAlgorithm.XXH128, Mix.mix(h ^ name.hashCode()), h);
    int rootIndex = universe.add(root, 256 + leaves.length * INDEX_BYTES_PER_LEAF);
    return new SnapshotModel(name, version, root, rootIndex, new int[] {rootIndex}, leaves, bytes);
  }

  /** A snapshot published for real: its metadata chunks and data chunks, by number. */
  static SnapshotModel real(
      String name, long version, ChunkId root, int[] metadata, int[] leaves, long bytes) {
    return new SnapshotModel(name, version, root, metadata[0], metadata, leaves, bytes);
  }

  private static ChunkId id(long seed, long name, long version, int i) {
    long h = Mix.fold(Mix.fold(Mix.fold(seed, name), version), i);
    return new ChunkId(HashAlgorithm.XXH128, h, Mix.mix(h + 1));
  }

  /** What a node holding {@code held} lacks of the data, once it holds the metadata. */
  TransferSession.DataPlan dataPlan(BitSet held, ChunkUniverse u) {
    List<FetchCore.Wanted> wanted = new ArrayList<>();
    BitSet have = new BitSet();
    long offset = 0;
    for (int i = 0; i < leaves.length; i++) {
      int c = leaves[i];
      if (held.get(c)) {
        have.set(i);
      } else {
        wanted.add(new FetchCore.Wanted(u.id(c), u.size(c), offset, i));
      }
      offset += u.size(c);
    }
    return new TransferSession.DataPlan(wanted, leaves.length, have);
  }

  /** Whether {@code held} has every metadata chunk. */
  boolean holdsMetadata(BitSet held) {
    for (int c : metadata) {
      if (!held.get(c)) {
        return false;
      }
    }
    return true;
  }

  /** The data chunks {@code held} has, by index; none while it lacks the root. */
  ChunkBitmap heldLeaves(BitSet held) {
    BitSet have = new BitSet();
    if (held.get(rootIndex)) {
      for (int i = 0; i < leaves.length; i++) {
        if (held.get(leaves[i])) {
          have.set(i);
        }
      }
    }
    return ChunkBitmap.of(have, leaves.length);
  }
}
