package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.Progress;
import io.shoal.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishing as a user asks for it: numbering, unchanged content, retention. */
class PublicationTest {
  @TempDir Path tmp;

  private static Publication.Outcome publish(
      ChunkStore store, Path src, Long version, boolean force) throws Exception {
    return Publication.publish(
        store,
        src,
        "state",
        version,
        HashAlgorithm.XXH128,
        0,
        "test-node",
        1_700_000_000_000L,
        Progress.none(),
        force,
        SnapshotRoot.NO_LOG_OFFSET,
        PublishHistory.none());
  }

  private Path tree() throws Exception {
    Path src = tmp.resolve("src");
    TestData.randomFile(src.resolve("db.bin"), 1, 2_000_000);
    TestData.file(
        src.resolve("a/meta.txt"), "meta".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return src;
  }

  @Test
  void unchangedContent_makesNoVersion_andReportsTheNewest() throws Exception {
    Path src = tree();
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      Publication.Outcome first = publish(store, src, null, false);
      Publication.Outcome again = publish(store, src, null, false);

      assertThat(first.unchanged()).isFalse();
      assertThat(again.unchanged()).isTrue();
      assertThat(again.version()).isEqualTo(1);
      assertThat(again.root()).isEqualTo(first.root());
      assertThat(again.newChunks()).isZero();
      assertThat(store.catalog().entries()).extracting(CatalogEntry::version).containsExactly(1L);
    }
  }

  @Test
  void changedContent_forceOrAGivenVersion_makeAVersion() throws Exception {
    Path src = tree();
    try (ChunkStore store = ChunkStore.inMemory(1L << 30)) {
      publish(store, src, null, false);
      Publication.Outcome forced = publish(store, src, null, true);
      Publication.Outcome given = publish(store, src, 7L, false);
      Files.writeString(src.resolve("a/meta.txt"), "changed");
      Publication.Outcome changed = publish(store, src, null, false);
      // A mode change alone is a change too: it lives in the file table.
      Files.setPosixFilePermissions(
          src.resolve("a/meta.txt"),
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
      Publication.Outcome modeChanged = publish(store, src, null, false);

      assertThat(forced.unchanged()).isFalse();
      assertThat(forced.version()).isEqualTo(2);
      assertThat(given.unchanged()).isFalse();
      assertThat(given.version()).isEqualTo(7);
      assertThat(changed.unchanged()).isFalse();
      assertThat(changed.version()).isEqualTo(8);
      assertThat(modeChanged.unchanged()).isFalse();
      assertThat(modeChanged.version()).isEqualTo(9);
      assertThat(store.catalog().entries())
          .extracting(CatalogEntry::version)
          .containsExactlyInAnyOrder(1L, 2L, 7L, 8L, 9L);
    }
  }
}
