package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shoal.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store on a small tmpfs that fills up. Mounting needs root, which CI has; elsewhere the test is
 * skipped.
 */
class DiskFullTest {
  @TempDir Path tmp;
  private Path mount;

  @BeforeEach
  void mountTinyFileSystem() throws Exception {
    assumeTrue(isRoot(), "mounting a tmpfs needs root");
    mount = Files.createDirectories(tmp.resolve("tiny"));
    assertThat(run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount.toString()))
        .as("mount tmpfs")
        .isZero();
  }

  @AfterEach
  void unmount() throws Exception {
    if (mount != null) {
      run("umount", mount.toString());
    }
  }

  @Test
  @DisplayName("a full disk refuses the write with one clear error and loses nothing committed")
  void fullDisk_refusesTheWriteAndKeepsEverythingCommitted() throws Exception {
    Path dir = mount.resolve("store");
    List<VerifiedChunk> committed = new ArrayList<>();
    try (ChunkStore store = ChunkStore.open(dir)) {
      store
          .catalog()
          .put(new CatalogEntry("n", 1, HashAlgorithm.XXH128.hash(new byte[1]), true, 1, 1));
      assertThatThrownBy(
              () -> {
                for (int i = 0; ; i++) {
                  VerifiedChunk c =
                      VerifiedChunk.hash(HashAlgorithm.XXH128, TestData.randomBytes(i, 200_000));
                  store.put(c);
                  committed.add(c);
                }
              })
          .isInstanceOf(StoreFullException.class)
          .hasMessageContaining("disk full")
          .hasMessageContaining("nothing was lost");
      assertThat(committed).hasSizeGreaterThan(5);
      for (VerifiedChunk c : committed) {
        assertThat(store.read(c.id())).isEqualTo(c.bytes());
      }
      fill(mount.resolve("filler"));
      assertThatThrownBy(
              () ->
                  store.catalog().put(new CatalogEntry("n", 2, committed.get(0).id(), true, 1, 1)))
          .isInstanceOf(IOException.class);
      assertThat(store.catalog().versions("n")).hasSize(1);
      Files.delete(mount.resolve("filler"));
    }
    try (ChunkStore store = ChunkStore.open(dir)) {
      for (VerifiedChunk c : committed) {
        assertThat(store.read(c.id())).isEqualTo(c.bytes());
      }
      assertThat(store.stats().chunkCount()).isEqualTo(committed.size());
      assertThat(store.catalog().versions("n")).hasSize(1);
    }
  }

  @Test
  @DisplayName("a full disk is recognised whatever language the system words its error in")
  void outOfSpace_foreignMessageOnAFullFileSystem_isStoreFull() throws Exception {
    fill(mount.resolve("filler"));
    long usable = Files.getFileStore(mount).getUsableSpace();
    IOException german = new IOException("Auf dem Gerät ist kein Speicherplatz mehr verfügbar");
    assertThat(Pack.outOfSpaceOr(german, 200_032, usable, "disk full while writing"))
        .isInstanceOf(StoreFullException.class)
        .hasCause(german);
    Files.delete(mount.resolve("filler"));
    IOException other = new IOException("No space left on device");
    assertThat(
            Pack.outOfSpaceOr(
                other, 4096, Files.getFileStore(mount).getUsableSpace(), "disk full while writing"))
        .as("with room, even an English ENOSPC-like message is not taken for a full disk")
        .isSameAs(other);
  }

  /** Writes to {@code file} until the file system is full. */
  private static void fill(Path file) {
    byte[] block = new byte[4096];
    try (var out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      // What we wanted.
    }
  }

  private static boolean isRoot() {
    try {
      return "0"
          .equals(
              new String(
                      new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
                      java.nio.charset.StandardCharsets.UTF_8)
                  .trim());
    } catch (IOException e) {
      return false;
    }
  }

  private static int run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
