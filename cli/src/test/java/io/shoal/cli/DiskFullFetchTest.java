package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.VerifiedChunk;
import io.shoal.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real fetching node whose data directory sits on a small tmpfs that fills up mid-fetch, then
 * grows. Mounting needs root, which CI has; elsewhere the test says so and is skipped.
 */
class DiskFullFetchTest {
  static final long SNAPSHOT_BYTES = 32L << 20;
  static final String SMALL_MOUNT = "size=12m";
  static final String LARGE_MOUNT = "size=96m";

  @TempDir Path tmp;
  private Path mount;
  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stopAndUnmount() throws Exception {
    for (NodeProcess n : nodes) {
      n.process.destroyForcibly();
      n.process.waitFor();
    }
    if (mount != null) {
      run("umount", mount.toString());
    }
  }

  private NodeProcess start(Path data, String... args) throws Exception {
    NodeProcess n = NodeProcess.launch(data, args);
    nodes.add(n);
    return n.awaitUp();
  }

  @Test
  @DisplayName(
      "a fetch into a full disk fails with one clear line, corrupts nothing, and resumes to"
          + " completion once space returns")
  void fetchIntoAFullDisk_failsInOneLine_andResumesWhenSpaceReturns() throws Exception {
    Path tiny = Files.createDirectories(tmp.resolve("tiny"));
    int mounted =
        isRoot() ? run("mount", "-t", "tmpfs", "-o", SMALL_MOUNT, "tmpfs", tiny.toString()) : -1;
    if (mounted != 0) {
      System.out.println("DiskFullFetchTest: SKIPPED: cannot mount a tmpfs (needs root)");
    }
    assumeTrue(mounted == 0, "mounting a tmpfs needs root");
    mount = tiny;
    System.out.println("DiskFullFetchTest: RAN on a tmpfs of " + SMALL_MOUNT);

    Path source = TestData.randomFile(tmp.resolve("big.bin"), 11, SNAPSHOT_BYTES);
    Path small =
        TestData.file(tmp.resolve("small.txt"), "small\n".getBytes(StandardCharsets.UTF_8));
    NodeProcess seeder = start(tmp.resolve("seed"), "--no-compression");
    String seedData = seeder.data.toString();
    assertThat(CliTest.shoal("publish", "small", small.toString(), "--data", seedData).code())
        .isZero();
    assertThat(CliTest.shoal("publish", "big", source.toString(), "--data", seedData).code())
        .isZero();
    Path data = tiny.resolve("fetcher");
    NodeProcess fetcher = start(data, "--join", seeder.peer());
    String dir = data.toString();
    // A get through a node reads the catalogs it has heard (it does not wait for gossip): wait
    // until the fetcher has heard the seeder's, as a script would before asking.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> CliTest.shoal("status", "--data", dir, "--json").out().contains("\"small\""));
    CliTest.Run gotSmall = getVia(dir, "small", tmp.resolve("small.out"));
    assertThat(gotSmall.code()).as(gotSmall.err()).isZero();

    CliTest.Run full = getVia(dir, "big", tmp.resolve("big.out"));

    assertThat(full.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(full.err().strip())
        .as("the get's error")
        .startsWith("shoal: ")
        .containsIgnoringCase("disk full")
        .doesNotContain("\n");
    String log = Files.readString(fetcher.log);
    System.out.println("get: " + full.err().strip());
    log.lines().filter(l -> l.contains("WARN")).forEach(l -> System.out.println("node: " + l));
    assertThat(log).as("node log").doesNotContain("\tat ", "Exception:");
    assertThat(log.lines().filter(l -> l.contains("fetch of big@1 failed")))
        .as("node log")
        .hasSize(1);
    CliTest.Run ls = CliTest.shoal("ls", "--data", dir);
    assertThat(ls.out()).as(ls.err()).contains("small");
    Path smallAgain = tmp.resolve("small.again");
    assertThat(getVia(dir, "small", smallAgain).code()).isZero();
    assertThat(Files.readString(smallAgain)).isEqualTo("small\n");

    assertThat(run("mount", "-o", "remount," + LARGE_MOUNT, tiny.toString())).isZero();
    double sentBefore = seeder.metric("shoal_transfer_sent_bytes_total");
    CliTest.Run resumed = getVia(dir, "big", tmp.resolve("big.out"));

    assertThat(resumed.code()).as(resumed.err()).isZero();
    assertThat(Files.mismatch(source, tmp.resolve("big.out"))).isEqualTo(-1);
    double resent = seeder.metric("shoal_transfer_sent_bytes_total") - sentBefore;
    System.out.printf("after the remount the seeder sent %,.0f bytes%n", resent);
    assertThat(resent).as("the fetch resumed rather than starting over").isLessThan(SNAPSHOT_BYTES);
    fetcher.stop();
    verifyEveryChunk(data);
  }

  private static CliTest.Run getVia(String dir, String name, Path out) {
    return CliTest.shoal("get", name, "-o", out.toString(), "--data", dir, "--force");
  }

  private static void verifyEveryChunk(Path data) throws IOException {
    try (ChunkStore store = ChunkStore.open(data)) {
      List<ChunkId> ids = new ArrayList<>();
      store.forEachId(ids::add);
      assertThat(ids).isNotEmpty();
      for (ChunkId id : ids) {
        assertThat(VerifiedChunk.verify(id, store.read(id))).as("chunk %s", id).isPresent();
      }
    }
  }

  private static boolean isRoot() throws Exception {
    Process p = new ProcessBuilder("id", "-u").start();
    String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    return p.waitFor(10, TimeUnit.SECONDS) && "0".equals(uid);
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
