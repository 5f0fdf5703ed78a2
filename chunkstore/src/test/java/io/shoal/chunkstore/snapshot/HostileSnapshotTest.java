package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.Progress;
import io.shoal.chunkstore.VerifiedChunk;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots whose chunks each decode but whose DAG lies: spans that do not add up, a subtree
 * repeated 4,096 times on each of 40 levels, a file table whose declared size no chunk backs. Each
 * is refused with a {@link SnapshotStructureException} (or a {@link FormatException} where a single
 * chunk is malformed), quickly and without allocating what the lie claims.
 */
class HostileSnapshotTest {
  /** Only a guard against a hang; no speed is claimed. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  private static final HashAlgorithm ALG = HashAlgorithm.XXH128;

  @TempDir Path tmp;

  private final ChunkStore store = ChunkStore.inMemory(1L << 30);
  private final SnapshotReader reader = new SnapshotReader(store);

  private ChunkId put(byte[] bytes) throws Exception {
    VerifiedChunk c = VerifiedChunk.hash(ALG, bytes);
    store.put(c);
    return c.id();
  }

  /** A node listing {@code child} {@code count} times, each with {@code span}. */
  private ChunkId repeatedNode(int level, ChunkId child, int count, long span) throws Exception {
    long[] highs = new long[count];
    long[] lows = new long[count];
    long[] spans = new long[count];
    Arrays.fill(highs, child.high());
    Arrays.fill(lows, child.low());
    Arrays.fill(spans, span);
    return put(new IndexNode(level, ALG, highs, lows, spans).encode());
  }

  /**
   * Levels 1 to {@code height}, each one node listing the node below it (a data chunk of {@code
   * leafBytes} at the bottom) {@code fanout} times; spans honest when {@code honest}, else 1 above
   * level 1. Returns the top, with the size it claims.
   */
  private TreeRef repeatedTree(int height, int fanout, int leafBytes, boolean honest)
      throws Exception {
    ChunkId below = put(new byte[leafBytes]);
    long span = leafBytes;
    for (int level = 1; level <= height; level++) {
      long childSpan = level == 1 || honest ? span : 1;
      below = repeatedNode(level, below, fanout, childSpan);
      span = childSpan * fanout;
    }
    return new TreeRef(below, span, height);
  }

  private ChunkId root(TreeRef data, TreeRef fileTable, long entries) throws Exception {
    SnapshotRoot r =
        new SnapshotRoot(
            "hostile", 1, ALG, false, "p", 1, data, fileTable, entries, 16384, 65536, 262144);
    return put(r.encode());
  }

  private TreeRef fileTableOf(long dataBytes) throws Exception {
    byte[] table = FileTable.of(List.of(new FileEntry("f", false, 0644, dataBytes, 0))).encode();
    return new TreeRef(put(table), table.length, 0);
  }

  @Test
  @DisplayName(
      "bounded planning of a 40-level tree of 4,096 identical children (fails fast, bounded memory):"
          + " read, walked, counted and materialized, it is refused at the first lying span")
  void fortyLevelsOfIdenticalChildren_everyReader_refusedAtFirstSpan() throws Exception {
    TreeRef tree = repeatedTree(TreeRef.MAX_HEIGHT, IndexNode.MAX_CHILDREN, 1000, false);
    ChunkId root = root(tree, fileTableOf(tree.sizeBytes()), 1);
    assertTimeoutPreemptively(
        HANG_GUARD,
        () -> {
          assertThatThrownBy(() -> reader.leafCount(tree))
              .isInstanceOf(SnapshotStructureException.class)
              .hasMessageContaining("but its parent says 1");
          assertThatThrownBy(() -> reader.walk(tree, (id, h, off, span) -> true))
              .isInstanceOf(SnapshotStructureException.class);
          assertThatThrownBy(() -> SnapshotDiff.allChunks(reader, root))
              .isInstanceOf(SnapshotStructureException.class);
          assertThatThrownBy(() -> readAll(tree)).isInstanceOf(SnapshotStructureException.class);
          assertThatThrownBy(
                  () ->
                      Materializer.materialize(
                          reader,
                          root,
                          tmp.resolve("out"),
                          Materializer.Options.defaults(),
                          Progress.none()))
              .isInstanceOf(SnapshotStructureException.class);
        });
  }

  @Test
  @DisplayName(
      "a DAG with honest spans and 2^36 data chunks over 3 levels is counted without expanding"
          + " its repeats, and refused before materializing")
  void honestSpansPastLeafBound_countAndMaterialize_refusedFast() throws Exception {
    TreeRef tree = repeatedTree(3, IndexNode.MAX_CHILDREN, 1, true);
    assertThat(tree.sizeBytes()).isEqualTo(1L << 36);
    ChunkId root = root(tree, fileTableOf(tree.sizeBytes()), 1);
    assertTimeoutPreemptively(
        HANG_GUARD,
        () -> {
          assertThatThrownBy(() -> reader.leafCount(tree))
              .isInstanceOf(SnapshotStructureException.class)
              .hasMessageContaining("more than " + SnapshotReader.MAX_LEAVES + " data chunks");
          assertThatThrownBy(
                  () ->
                      Materializer.materialize(
                          reader,
                          root,
                          tmp.resolve("out"),
                          Materializer.Options.defaults(),
                          Progress.none()))
              .isInstanceOf(SnapshotStructureException.class);
          // A walk whose visitor skips what it has seen stays as small as the DAG.
          java.util.Set<ChunkId> all = SnapshotDiff.allChunks(reader, root);
          assertThat(all).hasSize(6); // root, 3 index nodes, 1 data chunk, 1 file table chunk
        });
  }

  @Test
  void leafCount_repeatedSubtreeWithinBounds_countsEveryReference() throws Exception {
    TreeRef tree = repeatedTree(2, 64, 10, true);
    assertThat(reader.leafCount(tree)).isEqualTo(64 * 64);
    int[] leaves = {0};
    LeafCursor c = new LeafCursor(reader, tree, 0);
    while (c.next()) {
      leaves[0]++;
    }
    assertThat(leaves[0]).isEqualTo(64 * 64);
    assertThat(readAll(tree)).hasSize(64 * 64 * 10);
  }

  @Test
  void decode_zeroSpan_refused() throws Exception {
    ChunkId leaf = put(new byte[0]);
    ChunkId node = repeatedNode(1, leaf, 4, 0);
    assertThatThrownBy(() -> reader.indexNode(node, 1, 0))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("span 0");
  }

  @Test
  void decode_leafSpanPastChunkLimit_refused() throws Exception {
    ChunkId leaf = put(new byte[10]);
    ChunkId node = repeatedNode(1, leaf, 2, IndexNode.MAX_LEAF_SPAN_BYTES + 1);
    assertThatThrownBy(() -> reader.indexNode(node, 1, 2 * (IndexNode.MAX_LEAF_SPAN_BYTES + 1)))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("span");
  }

  @Test
  void read_dataChunkShorterThanItsSpan_refused() throws Exception {
    ChunkId leaf = put(new byte[10]);
    ChunkId node = repeatedNode(1, leaf, 3, 1000);
    TreeRef tree = new TreeRef(node, 3000, 1);
    assertThatThrownBy(() -> readAll(tree))
        .isInstanceOf(SnapshotStructureException.class)
        .hasMessageContaining("is 10 bytes, but its parent says 1000");
  }

  @Test
  void read_topSpanDiffersFromTreeSize_refused() throws Exception {
    ChunkId leaf = put(new byte[10]);
    TreeRef tree = new TreeRef(repeatedNode(1, leaf, 3, 10), 31, 1);
    assertThatThrownBy(() -> readAll(tree))
        .isInstanceOf(SnapshotStructureException.class)
        .hasMessageContaining("spans 30 bytes below it, but its parent says 31");
  }

  @Test
  @DisplayName("a declared 1 GiB file table backed by one chunk is refused without allocating")
  void fileTable_declared1GiBBackedByOneChunk_refusedWithoutAllocating() throws Exception {
    byte[] table = FileTable.of(List.of(new FileEntry("f", false, 0644, 5, 0))).encode();
    TreeRef claimed = new TreeRef(put(table), SnapshotReader.MAX_FILE_TABLE_BYTES, 0);
    SnapshotRoot root = reader.root(root(new TreeRef(put(new byte[5]), 5, 0), claimed, 1));
    long allocated =
        allocatedBy(
            () ->
                assertThatThrownBy(() -> reader.fileTable(root))
                    .isInstanceOf(SnapshotStructureException.class));
    assertThat(allocated).isLessThan(16L << 20);
  }

  @Test
  @DisplayName(
      "a file table whose index node claims 1 GiB in 4 MiB spans over one small chunk is refused"
          + " without allocating")
  void fileTable_indexNodeClaims1GiB_refusedWithoutAllocating() throws Exception {
    byte[] table = FileTable.of(List.of(new FileEntry("f", false, 0644, 5, 0))).encode();
    ChunkId leaf = put(table);
    int count = (int) (SnapshotReader.MAX_FILE_TABLE_BYTES / IndexNode.MAX_LEAF_SPAN_BYTES);
    TreeRef claimed =
        new TreeRef(
            repeatedNode(1, leaf, count, IndexNode.MAX_LEAF_SPAN_BYTES),
            SnapshotReader.MAX_FILE_TABLE_BYTES,
            1);
    SnapshotRoot root = reader.root(root(new TreeRef(put(new byte[5]), 5, 0), claimed, 1));
    long allocated =
        allocatedBy(
            () ->
                assertThatThrownBy(() -> reader.fileTable(root))
                    .isInstanceOf(SnapshotStructureException.class)
                    .hasMessageContaining("but its parent says " + IndexNode.MAX_LEAF_SPAN_BYTES));
    assertThat(allocated).isLessThan(16L << 20);
  }

  @Test
  void fileTable_inThreeChunks_readsWhole() throws Exception {
    List<FileEntry> entries = new java.util.ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      entries.add(new FileEntry("file-" + i, false, 0644, 1, 0));
    }
    byte[] table = FileTable.of(entries).encode();
    int third = table.length / 3;
    int[] cuts = {0, third, 2 * third, table.length};
    long[] highs = new long[3];
    long[] lows = new long[3];
    long[] spans = new long[3];
    for (int i = 0; i < 3; i++) {
      ChunkId part = put(Arrays.copyOfRange(table, cuts[i], cuts[i + 1]));
      highs[i] = part.high();
      lows[i] = part.low();
      spans[i] = (long) cuts[i + 1] - cuts[i];
    }
    ChunkId node = put(new IndexNode(1, ALG, highs, lows, spans).encode());
    TreeRef tree = new TreeRef(node, table.length, 1);
    SnapshotRoot root =
        reader.root(root(new TreeRef(put(new byte[20_000]), 20_000, 0), tree, 20_000));
    assertThat(reader.fileTable(root).size()).isEqualTo(20_000);
  }

  private byte[] readAll(TreeRef tree) throws Exception {
    try (InputStream in = reader.openStream(tree, 0, tree.sizeBytes())) {
      return in.readAllBytes();
    }
  }

  private interface Action {
    void run() throws Exception;
  }

  /** Bytes the current thread allocated while {@code action} ran. */
  private static long allocatedBy(Action action) throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(id);
    action.run();
    return threads.getThreadAllocatedBytes(id) - before;
  }
}
