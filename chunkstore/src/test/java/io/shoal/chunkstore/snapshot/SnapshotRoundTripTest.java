package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.FastCdc;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.testing.TestData;
import io.shoal.testing.TreeAssert;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SnapshotRoundTripTest {
  @TempDir Path tmp;

  static PublishRequest request(String name, long version) {
    return PublishRequest.of(name, version, "test-node", 1_700_000_000_000L);
  }

  Path sampleTree() throws Exception {
    Path src = tmp.resolve("src");
    TestData.randomFile(src.resolve("big.bin"), 1, 3_000_000);
    TestData.file(src.resolve("empty.txt"), new byte[0]);
    TestData.file(
        src.resolve("a/b/c/deep.txt"), "deep".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.createDirectories(src.resolve("empty-dir"));
    TestData.file(
        src.resolve("script.sh"),
        "#!/bin/sh\necho hi\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.setPosixFilePermissions(
        src.resolve("script.sh"), PosixFilePermissions.fromString("rwxr-x---"));
    TestData.file(src.resolve("secret"), "s".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.setPosixFilePermissions(
        src.resolve("secret"), PosixFilePermissions.fromString("rw-------"));
    SplittableRandom r = new SplittableRandom(2);
    for (int i = 0; i < 300; i++) {
      TestData.file(src.resolve("many/f" + i), TestData.randomBytes(i, r.nextInt(0, 9000)));
    }
    TestData.file(
        src.resolve("unicodé ✓.txt"), "ü".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return src;
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void directory_publishThenMaterialize_isIdentical(boolean onDisk) throws Exception {
    Path src = sampleTree();
    try (ChunkStore store =
        onDisk ? ChunkStore.open(tmp.resolve("store")) : ChunkStore.inMemory(1L << 30)) {
      SnapshotWriter.Result published =
          SnapshotWriter.publish(store, src, request("tree", 1), n -> {});
      assertThat(published.root().singleFile()).isFalse();
      assertThat(store.catalog().latest("tree").orElseThrow().root()).isEqualTo(published.rootId());
      SnapshotReader reader = new SnapshotReader(store);
      Path out = tmp.resolve("out");
      Materializer.materialize(
          reader, published.rootId(), out, Materializer.Options.defaults(), n -> {});
      TreeAssert.assertSameTree(src, out);
    }
  }

  @Test
  void singleFile_publishThenMaterialize_writesTheFile() throws Exception {
    Path src = TestData.randomFile(tmp.resolve("data.bin"), 3, 20_000_000);
    try (ChunkStore store = ChunkStore.open(tmp.resolve("store"))) {
      var published = SnapshotWriter.publish(store, src, request("one", 1), n -> {});
      assertThat(published.root().singleFile()).isTrue();
      Path out = tmp.resolve("restored.bin");
      Materializer.materialize(
          new SnapshotReader(store),
          published.rootId(),
          out,
          Materializer.Options.defaults(),
          n -> {});
      assertThat(Files.mismatch(src, out)).isEqualTo(-1);
    }
  }

  @Test
  void emptyFile_roundTrips() throws Exception {
    Path src = TestData.file(tmp.resolve("empty"), new byte[0]);
    try (ChunkStore store = ChunkStore.inMemory(1 << 20)) {
      var published = SnapshotWriter.publish(store, src, request("e", 1), n -> {});
      Path out = tmp.resolve("out");
      Materializer.materialize(
          new SnapshotReader(store),
          published.rootId(),
          out,
          Materializer.Options.defaults(),
          n -> {});
      assertThat(Files.size(out)).isZero();
    }
  }

  @Test
  void parallelChunking_givesExactlyTheSequentialBoundaries() throws Exception {
    // Three segments of random data, a long uniform run (where speculation never meets the
    // truth and the stitch must chunk alone), then random data again.
    byte[] data = new byte[30 << 20];
    new SplittableRandom(9).nextBytes(data);
    java.util.Arrays.fill(data, 9 << 20, 19 << 20, (byte) 7);
    List<ChunkId> expected = new ArrayList<>();
    FastCdc cdc = FastCdc.defaults();
    ByteBuffer b = ByteBuffer.wrap(data);
    for (int at = 0; at < data.length; ) {
      int n = cdc.nextChunkLength(b, at, data.length - at);
      expected.add(HashAlgorithm.XXH128.hash(data, at, n));
      at += n;
    }
    for (int threads : new int[] {1, 3}) {
      try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
        var published =
            SnapshotWriter.publishBytes(store, "x", data, request("p", 1).withThreads(threads));
        SnapshotReader reader = new SnapshotReader(store);
        LeafCursor cursor = new LeafCursor(reader, published.root().data(), 0);
        List<ChunkId> actual = new ArrayList<>();
        while (cursor.next()) {
          actual.add(cursor.id());
        }
        assertThat(actual).as("threads=" + threads).isEqualTo(expected);
      }
    }
  }

  @Test
  void openStream_anyRange_returnsThoseBytes() throws Exception {
    byte[] data = TestData.randomBytes(4, 5_000_000);
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      var published = SnapshotWriter.publishBytes(store, "x", data, request("r", 1));
      SnapshotReader reader = new SnapshotReader(store);
      SplittableRandom r = new SplittableRandom(5);
      for (int i = 0; i < 40; i++) {
        int off = r.nextInt(data.length);
        int len = r.nextInt(data.length - off + 1);
        try (InputStream in = reader.openStream(published.root().data(), off, len)) {
          assertThat(in.readAllBytes())
              .isEqualTo(java.util.Arrays.copyOfRange(data, off, off + len));
        }
      }
    }
  }

  @Test
  void samePublicationTwice_sharesEveryChunkButTheRoot() throws Exception {
    Path src = sampleTree();
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      var v1 = SnapshotWriter.publish(store, src, request("t", 1), n -> {});
      var v2 = SnapshotWriter.publish(store, src, request("t", 2), n -> {});
      assertThat(v2.root().data()).isEqualTo(v1.root().data());
      assertThat(v2.root().fileTable()).isEqualTo(v1.root().fileTable());
      assertThat(v2.newChunks()).isEqualTo(1);
    }
  }

  @Test
  void tree_withThousandsOfChunks_hasIndexLevelsAndReadsBackInOrder() throws Exception {
    byte[] data = TestData.randomBytes(6, 8 << 20);
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      PublishRequest small = request("s", 1).withChunker(FastCdc.of(256, 1024, 4096));
      var published = SnapshotWriter.publishBytes(store, "x", data, small);
      assertThat(published.root().data().height()).isGreaterThanOrEqualTo(2);
      try (InputStream in =
          new SnapshotReader(store).openStream(published.root().data(), 0, data.length)) {
        assertThat(in.readAllBytes()).isEqualTo(data);
      }
    }
  }
}
