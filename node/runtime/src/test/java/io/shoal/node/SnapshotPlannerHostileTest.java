package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.FormatWriter;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.VerifiedChunk;
import io.shoal.chunkstore.snapshot.PublishRequest;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotStructureException;
import io.shoal.chunkstore.snapshot.SnapshotWriter;
import io.shoal.chunkstore.snapshot.TreeRef;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The planner over DAGs a hostile publisher made: each chunk decodes, but a subtree is listed 4,096
 * times on every level. Planning refuses them with a {@link SnapshotStructureException} before it
 * builds any list, and a DAG that legitimately repeats a subtree (a run of zeros) still plans.
 */
class SnapshotPlannerHostileTest {
  /** Only a guard against a hang; no speed is claimed. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  private static final HashAlgorithm ALG = HashAlgorithm.XXH128;
  private static final int FANOUT = 4096;

  private final ChunkStore store = ChunkStore.inMemory(1L << 30);
  private final SnapshotReader reader = new SnapshotReader(store);

  private ChunkId put(byte[] bytes) throws Exception {
    VerifiedChunk c = VerifiedChunk.hash(ALG, bytes);
    store.put(c);
    return c.id();
  }

  /** An index node (docs/formats.md, SHIX) listing {@code child} {@code count} times. */
  private ChunkId repeatedNode(int level, ChunkId child, int count, long span) throws Exception {
    FormatWriter w = new FormatWriter(8 + 24 * count);
    w.u32(0x5348_4958).u8(1).u8(level).u16(count);
    for (int i = 0; i < count; i++) {
      w.chunkId(child).u64(span);
    }
    return put(w.toByteArray());
  }

  /** A snapshot root (docs/formats.md, SHSR) over {@code data}, with a one-chunk file table. */
  private ChunkId root(TreeRef data) throws Exception {
    ChunkId table = put(new byte[] {1, 2, 3});
    FormatWriter w = new FormatWriter(200);
    w.u32(0x5348_5352).u16(1).u8(ALG.code()).u8(0).u64(1).u64(1).utf8u16("hostile").utf8u16("p");
    w.chunkId(data.root()).u64(data.sizeBytes()).u8(data.height());
    w.chunkId(table).u64(3).u8(0);
    w.u64(1).u32(16384).u32(65536).u32(262144);
    return put(w.toByteArray());
  }

  private TreeRef repeatedTree(int height, int leafBytes, boolean honestSpans) throws Exception {
    ChunkId below = put(new byte[leafBytes]);
    long span = leafBytes;
    for (int level = 1; level <= height; level++) {
      long childSpan = level == 1 || honestSpans ? span : 1;
      below = repeatedNode(level, below, FANOUT, childSpan);
      span = childSpan * FANOUT;
    }
    return new TreeRef(below, span, height);
  }

  @Test
  @DisplayName(
      "bounded planning of a 40-level tree of 4,096 identical children (fails fast, bounded"
          + " memory): refused at the first span that does not add up")
  void plan_fortyLevelsOfIdenticalChildren_refused() throws Exception {
    ChunkId root = root(repeatedTree(TreeRef.MAX_HEIGHT, 1000, false));
    assertTimeoutPreemptively(
        HANG_GUARD,
        () ->
            assertThatThrownBy(() -> SnapshotPlanner.plan(reader, root))
                .isInstanceOf(SnapshotStructureException.class)
                .hasMessageContaining("but its parent says 1"));
  }

  @Test
  @DisplayName(
      "bounded planning of a DAG with honest spans and 2^36 data chunks: refused by counting,"
          + " before a list is built")
  void plan_honestSpansPastLeafBound_refusedBeforeListing() throws Exception {
    ChunkId root = root(repeatedTree(3, 1, true));
    assertTimeoutPreemptively(
        HANG_GUARD,
        () ->
            assertThatThrownBy(() -> SnapshotPlanner.plan(reader, root))
                .isInstanceOf(SnapshotStructureException.class)
                .hasMessageContaining("data chunks"));
  }

  @Test
  void plan_zerosRepeatSubtrees_plansEveryChunk() throws Exception {
    byte[] zeros = new byte[24 << 20];
    SnapshotWriter.Result r =
        SnapshotWriter.publishBytes(store, "z", zeros, PublishRequest.of("zeros", 1, "p", 1));
    SnapshotPlanner.Plan plan = SnapshotPlanner.plan(reader, r.rootId());
    assertThat(plan.metadataComplete()).isTrue();
    assertThat((long) plan.totalLeaves()).isEqualTo(reader.leafCount(r.root().data()));
    assertThat(plan.totalLeaves()).isGreaterThan(1);
    assertThat(plan.have().cardinality()).isEqualTo(plan.totalLeaves());
  }
}
