package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shell blocks of docs/sidecar.md as a user would paste them: two real nodes, a writer
 * that logs and checkpoints, a fresh replica that restores the snapshot and replays the log from
 * the offset it records, then follows it; the script itself compares the states.
 */
class SidecarDocTest {
  @TempDir Path tmp;

  @Test
  void theSidecarRecovery_runsAsWritten_andTheReplicaMatchesTheWriter() throws Exception {
    Path repo = Path.of("..").toAbsolutePath().normalize();
    List<String> blocks = ReadmeTest.shellBlocks(Files.readString(repo.resolve("docs/sidecar.md")));
    assertThat(blocks).hasSize(1);
    String output =
        ReadmeTest.runBlocks(blocks, repo, tmp, "sidecar-run.log", Duration.ofMinutes(4));
    assertThat(output)
        .contains("restored kv at log offset 100")
        .contains("the replica holds exactly the writer's state")
        .contains("the replica follows the writer");
  }
}
