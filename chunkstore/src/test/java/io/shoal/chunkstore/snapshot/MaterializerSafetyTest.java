package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.chunkstore.ChunkBatch;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.FormatWriter;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.VerifiedChunk;
import io.shoal.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MaterializerSafetyTest {
  @TempDir Path tmp;

  /** Stores a snapshot whose file table holds {@code path} (a file of 4 bytes), unchecked. */
  static ChunkId hostileSnapshot(ChunkStore store, String path) throws Exception {
    byte[] data = "evil".getBytes(StandardCharsets.UTF_8);
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    byte[] table =
        new FormatWriter(64)
            .u32(FileTable.MAGIC)
            .u8(FileTable.VERSION)
            .u8(0)
            .u16(0)
            .u64(2)
            .u8(1)
            .u16(0755)
            .varint(3)
            .bytes("dir".getBytes(StandardCharsets.UTF_8))
            .u8(0)
            .u16(0644)
            .varint(data.length)
            .varint(p.length)
            .bytes(p)
            .toByteArray();
    VerifiedChunk dataChunk = VerifiedChunk.hash(HashAlgorithm.XXH128, data);
    VerifiedChunk tableChunk = VerifiedChunk.hash(HashAlgorithm.XXH128, table);
    SnapshotRoot root =
        new SnapshotRoot(
            "evil",
            1,
            HashAlgorithm.XXH128,
            false,
            "attacker",
            0,
            new TreeRef(dataChunk.id(), data.length, 0),
            new TreeRef(tableChunk.id(), table.length, 0),
            2,
            64,
            128,
            256);
    VerifiedChunk rootChunk = VerifiedChunk.hash(HashAlgorithm.XXH128, root.encode());
    try (ChunkBatch b = store.newBatch()) {
      b.add(dataChunk);
      b.add(tableChunk);
      b.add(rootChunk);
      b.commit();
    }
    return rootChunk.id();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../escape",
        "dir/../../escape",
        "/etc/evil",
        "dir//x",
        "dir/./x",
        "a\0b",
        "dir/.."
      })
  void hostilePath_isRefusedBeforeAnythingIsWritten(String path) throws Exception {
    Path parent = Files.createDirectories(tmp.resolve("parent"));
    try (ChunkStore store = ChunkStore.inMemory(1 << 20)) {
      ChunkId root = hostileSnapshot(store, path);
      Path target = parent.resolve("target");
      assertThatThrownBy(
              () ->
                  Materializer.materialize(
                      new SnapshotReader(store),
                      root,
                      target,
                      Materializer.Options.defaults(),
                      n -> {}))
          .isInstanceOf(UnsafePathException.class)
          .hasMessageContaining("unsafe path");
    }
    try (Stream<Path> all = Files.walk(tmp)) {
      assertThat(all.filter(p -> !p.equals(tmp) && !p.equals(parent)).toList()).isEmpty();
    }
  }

  @Test
  void resolveInside_table() throws Exception {
    Path root = Path.of("/srv/out");
    String[][] cases = {
      {"a", "/srv/out/a"},
      {"a/b.txt", "/srv/out/a/b.txt"},
      {"..a", "/srv/out/..a"},
      {"a..", "/srv/out/a.."},
      {"dir name/file", "/srv/out/dir name/file"},
    };
    for (String[] c : cases) {
      assertThat(SnapshotPaths.resolveInside(root, c[0])).isEqualTo(Path.of(c[1]));
    }
    for (String bad : new String[] {"", "..", ".", "/a", "a/", "a//b", "x/../../y", "a\0"}) {
      assertThatThrownBy(() -> SnapshotPaths.resolveInside(root, bad))
          .as(bad)
          .isInstanceOf(UnsafePathException.class);
    }
  }

  @Test
  void existingNonEmptyTarget_isRefusedUnlessForced() throws Exception {
    Path src =
        TestData.file(
                tmp.resolve("src/a.txt"), "new".getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .getParent();
    Path target =
        TestData.file(
                tmp.resolve("target/old.txt"),
                "old".getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .getParent();
    try (ChunkStore store = ChunkStore.inMemory(1 << 20)) {
      var p = SnapshotWriter.publish(store, src, PublishRequest.of("t", 1, "n", 0), n -> {});
      SnapshotReader reader = new SnapshotReader(store);
      assertThatThrownBy(
              () ->
                  Materializer.materialize(
                      reader, p.rootId(), target, Materializer.Options.defaults(), n -> {}))
          .isInstanceOf(DirectoryNotEmptyException.class);
      assertThat(Files.readString(target.resolve("old.txt"))).isEqualTo("old");
      Materializer.materialize(
          reader, p.rootId(), target, Materializer.Options.defaults().withOverwrite(true), n -> {});
      assertThat(Files.exists(target.resolve("old.txt"))).isFalse();
      assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("new");
    }
  }

  @Test
  void existingFileTarget_isRefusedUnlessForced() throws Exception {
    Path src =
        TestData.file(
            tmp.resolve("one.txt"), "new".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Path target =
        TestData.file(
            tmp.resolve("out.txt"), "old".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    try (ChunkStore store = ChunkStore.inMemory(1 << 20)) {
      var p = SnapshotWriter.publish(store, src, PublishRequest.of("t", 1, "n", 0), n -> {});
      SnapshotReader reader = new SnapshotReader(store);
      assertThatThrownBy(
              () ->
                  Materializer.materialize(
                      reader, p.rootId(), target, Materializer.Options.defaults(), n -> {}))
          .isInstanceOf(FileAlreadyExistsException.class);
      Materializer.materialize(
          reader, p.rootId(), target, Materializer.Options.defaults().withOverwrite(true), n -> {});
      assertThat(Files.readString(target)).isEqualTo("new");
    }
  }

  /**
   * Publishes {@code src} into {@code store} and opens {@code target} to write it, as a restore.
   */
  private static Materializer.Target openTarget(ChunkStore store, Path src, Path target)
      throws Exception {
    var p = SnapshotWriter.publish(store, src, PublishRequest.of("t", 1, "n", 0), n -> {});
    SnapshotReader reader = new SnapshotReader(store);
    SnapshotRoot root = reader.root(p.rootId());
    return Materializer.open(root, reader.fileTable(root), target, Materializer.Options.defaults());
  }

  @Test
  void aFileThatAppearsAtTheTargetWhileItIsWritten_isKept_andTheCommitRefused() throws Exception {
    byte[] data = "new".getBytes(StandardCharsets.UTF_8);
    Path src = TestData.file(tmp.resolve("one.txt"), data);
    Path target = tmp.resolve("out.txt");
    try (ChunkStore store = ChunkStore.inMemory(1 << 20)) {
      try (Materializer.Target t = openTarget(store, src, target)) {
        t.write(0, java.nio.ByteBuffer.wrap(data));
        Files.writeString(target, "the user's"); // after the check at the start

        assertThatThrownBy(t::commit)
            .isInstanceOf(FileAlreadyExistsException.class)
            .hasMessageContaining("use --force");
      }
      assertThat(Files.readString(target)).isEqualTo("the user's");
      try (Stream<Path> left = Files.list(tmp)) {
        assertThat(left.map(x -> x.getFileName().toString()))
            .containsExactlyInAnyOrder("one.txt", "out.txt");
      }
    }
  }

  @Test
  void aDirectoryFilledAtTheTargetWhileItIsWritten_isKept_andTheCommitRefused() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    TestData.file(src.resolve("a.txt"), "new".getBytes(StandardCharsets.UTF_8));
    Path target = Files.createDirectories(tmp.resolve("out")); // empty: allowed at the start
    try (ChunkStore store = ChunkStore.inMemory(1 << 20)) {
      try (Materializer.Target t = openTarget(store, src, target)) {
        t.write(0, java.nio.ByteBuffer.wrap("new".getBytes(StandardCharsets.UTF_8))); // a.txt
        Files.writeString(target.resolve("mine.txt"), "the user's");

        assertThatThrownBy(t::commit).isInstanceOf(DirectoryNotEmptyException.class);
      }
      try (Stream<Path> left = Files.list(target)) {
        assertThat(left.map(x -> x.getFileName().toString())).containsExactly("mine.txt");
      }
    }
  }

  @Test
  void symlinkInSource_isRefusedNamingIt() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.createSymbolicLink(src.resolve("link"), Path.of("/etc/passwd"));
    try (ChunkStore store = ChunkStore.inMemory(1 << 20)) {
      assertThatThrownBy(
              () -> SnapshotWriter.publish(store, src, PublishRequest.of("t", 1, "n", 0), n -> {}))
          .hasMessageContaining("link")
          .hasMessageContaining("symbolic link");
      assertThat(store.stats().chunkCount()).isZero();
    }
  }
}
