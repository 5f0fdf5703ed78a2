package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileSelectionTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @CsvSource({
    "f3.bin, f3.bin, true",
    "f3.bin, f30.bin, false",
    "*.md, docs/a.md, false",
    "**.md, docs/a.md, true",
    "docs, docs/sub/a.md, true",
    "docs/*, docs/sub/a.md, true",
    "docs/*.md, docs/sub/a.md, false",
    "doc, docs/a.md, false",
  })
  void matches_globOnThePathOrADirectoryAbove(String glob, String path, boolean expected) {
    assertThat(FileSelection.of(List.of(glob)).matches(path)).isEqualTo(expected);
  }

  @Test
  void of_malformedOrAbsoluteGlob_failsNamingIt() {
    assertThatThrownBy(() -> FileSelection.of(List.of("a[")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad --path glob 'a['");
    assertThatThrownBy(() -> FileSelection.of(List.of("/etc/passwd")))
        .hasMessageContaining("relative to the snapshot");
    assertThat(FileSelection.of(List.of())).isEqualTo(FileSelection.all());
  }

  private static FileTable table(long... sizes) throws Exception {
    List<FileEntry> entries = new java.util.ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      entries.add(new FileEntry("f" + i, false, 0644, sizes[i], 0));
    }
    return FileTable.of(entries);
  }

  @Test
  void select_mergesTouchingRanges_andOverlapsFindsTheChunksThatHoldThem() throws Exception {
    FileTable t = table(100, 50, 0, 30, 200); // offsets 0, 100, 150, 150, 180
    FileSelection.Selected s = FileSelection.of(List.of("f1", "f2", "f3")).select(t, "t@1");
    assertThat(s.entries()).extracting(FileEntry::path).containsExactly("f1", "f2", "f3");
    assertThat(s.rangeCount()).isEqualTo(1);
    assertThat(s.rangeStart(0)).isEqualTo(100);
    assertThat(s.rangeEnd(0)).isEqualTo(180);
    assertThat(s.bytes()).isEqualTo(80);
    assertThat(s.overlaps(0, 100)).as("ends where the range starts").isFalse();
    assertThat(s.overlaps(0, 101)).isTrue();
    assertThat(s.overlaps(179, 10)).isTrue();
    assertThat(s.overlaps(180, 10)).as("starts where the range ends").isFalse();

    FileSelection.Selected apart = FileSelection.of(List.of("f0", "f4")).select(t, "t@1");
    assertThat(apart.rangeCount()).isEqualTo(2);
    assertThat(apart.overlaps(120, 20)).isFalse();
    assertThat(apart.overlaps(90, 100)).isTrue();
  }

  @Test
  void select_nothingMatches_failsInOneLineNamingTheGlobs() throws Exception {
    assertThatThrownBy(() -> FileSelection.of(List.of("x*", "y")).select(table(1), "t@1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no file of t@1 matches --path 'x*', 'y'");
  }

  @Test
  @DisplayName(
      "materialize with a selection writes only the selected files, reading only their chunks")
  void materialize_selection_writesOnlyTheSelectedFiles() throws Exception {
    Path src = tmp.resolve("src");
    for (int i = 0; i < 10; i++) {
      TestData.randomFile(src.resolve("d" + (i % 2) + "/f" + i + ".bin"), i, 700_000);
    }
    TestData.file(src.resolve("d1/empty.txt"), new byte[0]);
    TestData.file(src.resolve("notes.md"), "hi".getBytes(StandardCharsets.UTF_8));
    try (ChunkStore store = ChunkStore.open(tmp.resolve("store"))) {
      var published =
          SnapshotWriter.publish(store, src, SnapshotRoundTripTest.request("t", 1), n -> {});
      SnapshotReader reader = new SnapshotReader(store);
      FileTable table = reader.fileTable(published.root());
      FileSelection selection = FileSelection.of(List.of("d1/f3.bin", "d1/empty.txt", "*.md"));
      FileSelection.Selected selected = selection.select(table, "t@1");
      // Drop every data chunk the selection does not need: the write must not read them.
      LeafCursor cursor = new LeafCursor(reader, published.root().data(), 0);
      java.util.Set<ChunkId> unneeded = new java.util.HashSet<>();
      while (cursor.next()) {
        if (!selected.overlaps(cursor.offset(), cursor.length())) {
          unneeded.add(cursor.id());
        }
      }
      assertThat(unneeded).hasSizeGreaterThan(10);
      store.retainOnly(id -> !unneeded.contains(id));

      Path out = tmp.resolve("out");
      Materializer.Result r =
          Materializer.materialize(
              reader,
              published.rootId(),
              out,
              Materializer.Options.defaults().withSelection(selection),
              n -> {});

      assertThat(r.files()).isEqualTo(3);
      assertThat(r.bytes()).isEqualTo(700_002);
      try (Stream<Path> all = Files.walk(out)) {
        assertThat(all.filter(Files::isRegularFile).map(p -> out.relativize(p).toString()))
            .containsExactlyInAnyOrder("d1/f3.bin", "d1/empty.txt", "notes.md");
      }
      assertThat(Files.mismatch(src.resolve("d1/f3.bin"), out.resolve("d1/f3.bin"))).isEqualTo(-1);
      assertThat(Files.readString(out.resolve("notes.md"))).isEqualTo("hi");
    }
  }
}
