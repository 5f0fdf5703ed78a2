package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
  @TempDir Path tmp;

  @Test
  void keepOne_dropsOldVersionsAndTheirChunks_andTheNewestStillMaterializes() throws Exception {
    Path storeDir = tmp.resolve("store");
    ChunkId v3;
    Set<ChunkId> v1Chunks;
    try (ChunkStore store = ChunkStore.open(storeDir)) {
      SnapshotReader reader = new SnapshotReader(store);
      var v1 =
          SnapshotWriter.publishBytes(
              store, "f", TestData.randomBytes(1, 3 << 20), PublishRequest.of("n", 1, "x", 0));
      SnapshotWriter.publishBytes(
          store, "f", TestData.randomBytes(2, 3 << 20), PublishRequest.of("n", 2, "x", 0));
      v3 =
          SnapshotWriter.publishBytes(
                  store, "f", TestData.randomBytes(3, 3 << 20), PublishRequest.of("n", 3, "x", 0))
              .rootId();
      SnapshotWriter.publishBytes(
          store, "g", TestData.randomBytes(4, 1 << 20), PublishRequest.of("other", 1, "x", 0));
      // Chunks only v1 has: its file table, for one, is the same as v3's and must stay.
      v1Chunks = new java.util.HashSet<>(SnapshotDiff.allChunks(reader, v1.rootId()));
      v1Chunks.removeAll(SnapshotDiff.allChunks(reader, v3));
      assertThat(v1Chunks).hasSizeGreaterThan(40);
      long before = store.stats().chunkBytes();

      Retention.Result result = Retention.apply(reader, 1);

      assertThat(result.versionsDropped()).extracting(e -> e.version()).containsExactly(1L, 2L);
      assertThat(result.bytesReclaimed()).isGreaterThan(6L << 20);
      assertThat(store.stats().chunkBytes()).isLessThan(before - (6L << 20));
      assertThat(v1Chunks).noneMatch(store::contains);
      assertThat(store.catalog().versions("other")).hasSize(1);
    }
    try (ChunkStore store = ChunkStore.open(storeDir)) {
      assertThat(v1Chunks).noneMatch(store::contains);
      Path out = tmp.resolve("out");
      Materializer.materialize(
          new SnapshotReader(store), v3, out, Materializer.Options.defaults(), n -> {});
      assertThat(Files.readAllBytes(out)).isEqualTo(TestData.randomBytes(3, 3 << 20));
    }
  }

  /**
   * Two names publish the same two contents in random order, each keeping one version, so that a
   * content is garbage whenever neither name's newest holds it. A publication that finds a chunk in
   * the store and reuses it must not lose it to a collection that computed its live set before the
   * publication was in the catalog: every version left must read back whole.
   */
  @Test
  void publicationsReusingChunks_thatACollectionFindsUnreachable_keepThem() throws Exception {
    byte[][] contents = {TestData.randomBytes(11, 1 << 20), TestData.randomBytes(12, 1 << 20)};
    try (ChunkStore store = ChunkStore.open(tmp.resolve("store"))) {
      SnapshotReader reader = new SnapshotReader(store);
      java.util.concurrent.atomic.AtomicReference<Throwable> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.List<Thread> threads = new java.util.ArrayList<>();
      for (String name : java.util.List.of("a", "b")) {
        Thread t =
            new Thread(
                () -> {
                  java.util.Random random = new java.util.Random(name.hashCode());
                  try {
                    for (long v = 1; v <= 150 && failure.get() == null; v++) {
                      byte[] content = contents[random.nextInt(2)];
                      var r =
                          SnapshotWriter.publishBytes(
                              store, "f", content, PublishRequest.of(name, v, "x", 0));
                      Retention.apply(reader, 1);
                      Path out = tmp.resolve(name + "-" + v);
                      Materializer.materialize(
                          reader, r.rootId(), out, Materializer.Options.defaults(), n -> {});
                      Files.delete(out);
                    }
                  } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                  }
                });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(failure.get()).as("a publication lost a chunk it reused").isNull();
    }
  }
}
