package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkStore;
import io.shoal.testing.TestData;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SnapshotDiffTest {
  static final int SIZE = 32 << 20;

  @Test
  void scatteredOverwrite_movesAboutTheChangedChunks() throws Exception {
    byte[] v1 = TestData.randomBytes(1, SIZE);
    byte[] v2 = v1.clone();
    SplittableRandom r = new SplittableRandom(2);
    int region = SIZE / 100 / 10;
    for (int k = 0; k < 10; k++) {
      int off = k * (SIZE / 10) + 977;
      byte[] noise = TestData.randomBytes(r.nextLong(), region);
      System.arraycopy(noise, 0, v2, off, region);
    }
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      var a = SnapshotWriter.publishBytes(store, "f", v1, PublishRequest.of("d", 1, "n", 0));
      var b = SnapshotWriter.publishBytes(store, "f", v2, PublishRequest.of("d", 2, "n", 0));
      var delta = SnapshotDiff.between(new SnapshotReader(store), a.rootId(), b.rootId());
      // 1% changed in 10 places: each place dirties its chunk(s) and perhaps one neighbour.
      assertThat(delta.dataBytes())
          .isBetween((long) SIZE / 100, (long) SIZE / 100 + 10 * 3 * 256 * 1024);
      assertThat(delta.sharedDataBytes()).isEqualTo(SIZE - delta.dataBytes());
      assertThat(delta.bytes()).isEqualTo(b.newBytes());
    }
  }

  @Test
  void insertionInTheMiddle_movesAChunkOrTwo() throws Exception {
    byte[] v1 = TestData.randomBytes(3, SIZE);
    byte[] v2 = TestData.insert(v1, SIZE / 2, TestData.randomBytes(4, 4096));
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      var a = SnapshotWriter.publishBytes(store, "f", v1, PublishRequest.of("d", 1, "n", 0));
      var b = SnapshotWriter.publishBytes(store, "f", v2, PublishRequest.of("d", 2, "n", 0));
      var delta = SnapshotDiff.between(new SnapshotReader(store), a.rootId(), b.rootId());
      assertThat(delta.dataChunks()).isBetween(1L, 3L);
      // Content-defined index nodes: only the path to the root changes, not every later node.
      assertThat(delta.ids().size() - delta.dataChunks()).isLessThanOrEqualTo(6);
      assertThat(delta.bytes()).isLessThan(600_000);
    }
  }

  @Test
  void sameSnapshot_hasAnEmptyDelta() throws Exception {
    byte[] v1 = TestData.randomBytes(5, 1 << 20);
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      var a = SnapshotWriter.publishBytes(store, "f", v1, PublishRequest.of("d", 1, "n", 0));
      var delta = SnapshotDiff.between(new SnapshotReader(store), a.rootId(), a.rootId());
      assertThat(delta.ids()).isEmpty();
      assertThat(delta.sharedDataBytes()).isEqualTo(v1.length);
    }
  }
}
