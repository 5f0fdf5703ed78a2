package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.chunkstore.ChunkStore;
import io.shoal.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a crash of {@code get -o} leaves next to its target, as the next one finds it. */
class OutputLeftoversTest {
  @TempDir Path tmp;

  /** The id of a process that has exited. */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  private static Path dirWith(Path dir, String file, String text) throws Exception {
    return TestData.file(dir.resolve(file), text.getBytes(StandardCharsets.UTF_8)).getParent();
  }

  private List<String> hiddenSiblings() throws Exception {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
    }
  }

  private void materialize(Path target, boolean overwrite) throws Exception {
    Path src = dirWith(tmp.resolve("src"), "a.txt", "new");
    try (ChunkStore store = ChunkStore.inMemory(1 << 20)) {
      var p = SnapshotWriter.publish(store, src, PublishRequest.of("t", 1, "n", 0), n -> {});
      Materializer.materialize(
          new SnapshotReader(store),
          p.rootId(),
          target,
          Materializer.Options.defaults().withOverwrite(overwrite),
          n -> {});
    }
  }

  @Test
  @DisplayName("a crash while building: the next get -o removes the dead build")
  void materialize_deadProcessBuildNextToTarget_isRemoved() throws Exception {
    Path target = dirWith(tmp.resolve("target"), "old.txt", "old");
    dirWith(tmp.resolve(".target.shoal-tmp-" + deadPid() + "-123"), "a.txt", "partial");
    materialize(target, true);
    assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("new");
    assertThat(hiddenSiblings()).isEmpty();
  }

  @Test
  @DisplayName("a crash between the two renames of a replace: the old target is restored")
  void checkTargetEarly_targetMovedAsideByADeadProcess_restoresIt() throws Exception {
    long pid = deadPid();
    dirWith(tmp.resolve(".target.shoal-old-" + pid + "-1"), "old.txt", "old");
    dirWith(tmp.resolve(".target.shoal-tmp-" + pid + "-2"), "a.txt", "new");
    Path target = tmp.resolve("target");
    assertThatThrownBy(() -> Materializer.checkTargetEarly(target, false))
        .as("the restored target is there again, so it needs --force as before")
        .isInstanceOf(DirectoryNotEmptyException.class);
    assertThat(Files.readString(target.resolve("old.txt"))).isEqualTo("old");
    assertThat(hiddenSiblings()).isEmpty();
  }

  @Test
  @DisplayName("a crash after the swap, before the old copy was deleted: the old copy goes")
  void materialize_oldCopyOfADeadProcessBesideTheNewTarget_isRemoved() throws Exception {
    Path target = dirWith(tmp.resolve("target"), "b.txt", "replaced");
    dirWith(tmp.resolve(".target.shoal-old-" + deadPid() + "-1"), "old.txt", "old");
    materialize(target, true);
    assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("new");
    assertThat(hiddenSiblings()).isEmpty();
  }

  @Test
  void recover_buildOfALiveProcess_isLeftAlone() throws Exception {
    Path live = tmp.resolve(".target.shoal-tmp-" + ProcessHandle.current().pid() + "-9");
    dirWith(live, "a.txt", "being written");
    Path legacy = dirWith(tmp.resolve(".target.shoal-tmp-abc"), "a.txt", "older shoal");
    Path other = dirWith(tmp.resolve(".other.shoal-tmp-" + deadPid() + "-1"), "a.txt", "x");
    OutputLeftovers.recover(tmp.resolve("target"));
    assertThat(live).isDirectory();
    assertThat(legacy).isDirectory();
    assertThat(other).as("another target's leftovers").isDirectory();
  }

  @Test
  void pidIn_table() {
    assertThat(OutputLeftovers.pidIn("123-abc")).isEqualTo(OptionalLong.of(123));
    assertThat(OutputLeftovers.pidIn("abc")).isEmpty();
    assertThat(OutputLeftovers.pidIn("-1-abc")).isEmpty();
    assertThat(OutputLeftovers.pidIn("12a-x")).isEmpty();
    assertThat(OutputLeftovers.pidIn("99999999999999999999-x")).isEmpty();
  }
}
