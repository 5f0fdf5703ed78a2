package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.chunkstore.snapshot.Materializer;
import io.shoal.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A one-shot fetch straight into a path ({@code fetchTo}) of only some files of a snapshot. */
class SelectiveFetchTest {
  static final int FILES = 10;
  static final int FILE_BYTES = 1 << 20;

  @TempDir Path tmp;
  private TestSwarm swarm;

  @BeforeEach
  void swarm() {
    swarm = new TestSwarm(tmp);
  }

  @AfterEach
  void stopAll() {
    swarm.close();
  }

  @Test
  @DisplayName(
      "fetchTo with a selection of 1 file in 10 receives about a tenth and writes that file alone")
  void fetchTo_selection_receivesOnlyTheSelectedFiles() throws Exception {
    Path src = tmp.resolve("src");
    for (int i = 0; i < FILES; i++) {
      TestData.randomFile(src.resolve("f" + i + ".bin"), 70 + i, FILE_BYTES);
    }
    List<ShoalNode> seeders = swarm.seeders(2, src);
    ShoalNode fresh = swarm.join("fresh", seeders.get(0));
    TestSwarm.awaitHolders(fresh, 2);
    Path out = tmp.resolve("out");
    Materializer.Options options =
        Materializer.Options.defaults().withSelection(FileSelection.of(List.of("f7.bin")));

    ShoalNode.Fetched got =
        fresh.fetchTo(SnapshotRef.parse("data"), Duration.ofSeconds(30), out, options);

    assertThat(got.result().receivedBytes())
        .as("chunk bytes received")
        .isLessThanOrEqualTo((long) FILES * FILE_BYTES * 15 / 100);
    try (Stream<Path> written = Files.walk(out)) {
      assertThat(written.filter(Files::isRegularFile)).containsExactly(out.resolve("f7.bin"));
    }
    assertThat(Files.mismatch(src.resolve("f7.bin"), out.resolve("f7.bin"))).isEqualTo(-1);

    Path none = tmp.resolve("none");
    assertThatThrownBy(
            () ->
                fresh.fetchTo(
                    SnapshotRef.parse("data"),
                    Duration.ofSeconds(30),
                    none,
                    options.withSelection(FileSelection.of(List.of("*.txt")))))
        .hasMessage("no file of data@1 matches --path '*.txt'");
    assertThat(none).doesNotExist();
  }
}
