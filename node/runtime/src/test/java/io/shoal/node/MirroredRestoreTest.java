package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.shoal.node.api.GetCall;
import io.shoal.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore of a snapshot the node lacks writes the files as the data arrives; the store keeps the
 * data too, so the node serves the version afterwards. Where the files can be hard-linked from the
 * store's directory (one file system, as here), the store takes the data from them once they are in
 * place, after the restore has returned, rather than while the fetch runs.
 */
class MirroredRestoreTest {
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

  private static double written(ShoalNode n, String how) {
    return n.metrics().restoreWrittenBytes.labelValues(how).get();
  }

  @Test
  @DisplayName(
      "a restore writes the files as the data arrives; the node then holds and serves the version")
  void aRestore_writesTheFilesAsTheDataArrives_andTheNodeThenServesTheVersion() throws Exception {
    int size = 12 << 20;
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 31, size);
    List<ShoalNode> seeders = swarm.seeders(2, source);
    ShoalNode fresh = swarm.join("fresh", seeders.get(0));
    TestSwarm.awaitHolders(fresh, 2);
    Path out = tmp.resolve("out/copy.bin");

    fresh.materialize(new GetCall("data", out.toString(), false, true));

    assertThat(Files.mismatch(source, out)).isEqualTo(-1);
    assertThat(written(fresh, "as_fetched")).isEqualTo(size);
    assertThat(written(fresh, "from_store")).isZero();
    awaitKept(fresh, 1);
    assertThat(fresh.metrics().restoreKeptBytes.get())
        .as("the store kept the whole file from the restored copy")
        .isEqualTo(size);
    try (var left = Files.list(out.getParent())) {
      assertThat(left).as("no hidden leftovers beside the target").containsExactly(out);
    }

    // The store kept every chunk: with the seeders gone, a newcomer gets the version from it.
    for (ShoalNode s : seeders) {
      s.close();
    }
    ShoalNode late = swarm.join("late", fresh);
    TestSwarm.awaitHolders(late, 1);
    Path again = tmp.resolve("again.bin");
    late.materialize(new GetCall("data", again.toString(), false, false));
    assertThat(Files.mismatch(source, again)).isEqualTo(-1);

    // A version held already is written out of the store.
    Path second = tmp.resolve("second.bin");
    fresh.materialize(new GetCall("data", second.toString(), false, false));
    assertThat(Files.mismatch(source, second)).isEqualTo(-1);
    assertThat(written(fresh, "as_fetched")).isEqualTo(size);
    assertThat(written(fresh, "from_store")).isEqualTo(size);
  }

  @Test
  @DisplayName(
      "a restore of a new version copies the chunks held from the old one while the rest arrives")
  void aRestoreOfANewVersion_copiesWhatIsHeld_andWritesOnlyTheChangeAsItArrives() throws Exception {
    int size = 12 << 20;
    Path v1 = TestData.randomFile(tmp.resolve("v1.bin"), 35, size);
    List<ShoalNode> seeders = swarm.seeders(2, v1);
    ShoalNode kept = swarm.join("kept", seeders.get(0));
    TestSwarm.awaitHolders(kept, 2);
    kept.materialize(new GetCall("data@1", tmp.resolve("out1.bin").toString(), false, false));
    byte[] changed = Files.readAllBytes(v1);
    byte[] patch = TestData.randomBytes(36, 512 << 10);
    System.arraycopy(patch, 0, changed, 6 << 20, patch.length); // half a MiB in the middle
    Path v2 = Files.write(tmp.resolve("v2.bin"), changed);
    seeders
        .get(0)
        .publish(
            new io.shoal.node.api.PublishCall(
                "data", v2.toAbsolutePath().toString(), null, null, null));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                seeders.get(1).store().catalog().latestComplete("data").orElseThrow().version()
                    == 2);
    Path out = tmp.resolve("out2.bin");

    kept.materialize(new GetCall("data@2", out.toString(), false, true));

    assertThat(Files.mismatch(v2, out)).isEqualTo(-1);
    double asFetched = written(kept, "as_fetched") - size; // v1 arrived whole
    double fromStore = written(kept, "from_store");
    assertThat(asFetched)
        .as("the changed chunks, as they arrived")
        .isPositive()
        .isLessThan(size / 4.0);
    assertThat(asFetched + fromStore).isEqualTo(size);
    awaitKept(kept, 2);
  }

  @Test
  @DisplayName(
      "the store keeps a restore's data though the service deletes its files at once, and serves it")
  void theStoreKeepsTheRestoredData_thoughTheFilesAreDeletedAtOnce() throws Exception {
    Path tree = Files.createDirectories(tmp.resolve("tree/sub"));
    TestData.randomFile(tree.resolve("a.bin"), 37, 5 << 20);
    TestData.randomFile(tmp.resolve("tree/b.bin"), 38, 3 << 20);
    TestData.randomFile(tmp.resolve("tree/c.bin"), 39, 1000);
    List<ShoalNode> seeders = swarm.seeders(2, tmp.resolve("tree"));
    ShoalNode fresh = swarm.join("fresh", seeders.get(0));
    TestSwarm.awaitHolders(fresh, 2);
    Path out = tmp.resolve("out");
    double receivedBefore = fresh.metrics().chunkReceivedBytes();

    fresh.materialize(new GetCall("data", out.toString(), false, true));
    io.shoal.testing.TreeAssert.assertSameTree(tmp.resolve("tree"), out);
    Files.move(out, tmp.resolve("moved")); // as the example moves its restore into place
    io.shoal.chunkstore.snapshot.Materializer.deleteTreeQuietly(tmp.resolve("moved"));

    awaitKept(fresh, 1);
    // Once, not twice: the endgame copies late requests for the last chunks (docs/architecture.md),
    // which came to 1.11x of these 8 MiB once; fetching the data again would be 2x.
    assertThat(fresh.metrics().chunkReceivedBytes() - receivedBefore)
        .as("the data crossed the network once")
        .isLessThan(1.5 * ((8 << 20) + 1000));
    for (ShoalNode s : seeders) {
      s.close();
    }
    ShoalNode late = swarm.join("late", fresh);
    TestSwarm.awaitHolders(late, 1);
    Path again = tmp.resolve("again");
    late.materialize(new GetCall("data", again.toString(), false, false));
    io.shoal.testing.TreeAssert.assertSameTree(tmp.resolve("tree"), again);
  }

  @Test
  @DisplayName(
      "a fetch and a second restore that join a restore leaving its data to its files get it whole")
  void callersThatJoinARestoreLeavingItsDataToItsFiles_getTheVersionWhole() throws Exception {
    int size = JOINED_RESTORE_BYTES;
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 40, size);
    ShoalNode fresh = freshBesideSlowSeeders(source);
    var first =
        fresh.materializeAsync(new GetCall("data", tmp.resolve("a.bin").toString(), false, false));
    await().atMost(Duration.ofSeconds(30)).until(() -> TransferTest.done(fresh) > 0);
    var second =
        fresh.materializeAsync(new GetCall("data", tmp.resolve("b.bin").toString(), false, false));
    ShoalNode.Fetched fetched =
        fresh.fetch(io.shoal.chunkstore.SnapshotRef.parse("data@1"), Duration.ZERO);

    assertThat(fetched.entry().complete())
        .as("the store fetch that joined, once it returns")
        .isTrue();
    first.get(60, TimeUnit.SECONDS);
    second.get(60, TimeUnit.SECONDS);
    assertThat(Files.mismatch(source, tmp.resolve("a.bin"))).isEqualTo(-1);
    assertThat(Files.mismatch(source, tmp.resolve("b.bin"))).isEqualTo(-1);
    awaitKept(fresh, 1);
    // Fetching the data again, as the joined fetch did before it waited, is 2x; the endgame's
    // copies of late requests add a little to 1x.
    assertThat(fresh.metrics().chunkReceivedBytes())
        .as("chunk bytes the node received: the joined callers waited for the restore's keep")
        .isLessThan(size * 1.5);
  }

  @Test
  @DisplayName(
      "a fetch that joins a restore which then fails gets the version without waiting for a keep")
  void aFetchThatJoinsARestoreWhichFails_fetchesWhatTheStoreLacks() throws Exception {
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 41, JOINED_RESTORE_BYTES);
    ShoalNode fresh = freshBesideSlowSeeders(source);
    Path target = tmp.resolve("a.bin");
    var restore = fresh.materializeAsync(new GetCall("data", target.toString(), false, false));
    await().atMost(Duration.ofSeconds(30)).until(() -> TransferTest.done(fresh) > 0);
    var joined =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return fresh.fetch(io.shoal.chunkstore.SnapshotRef.parse("data@1"), Duration.ZERO);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    // Made while the restore runs: it cannot put its file there.
    Files.writeString(Files.createDirectories(target).resolve("x"), "the service's own");

    assertThatThrownBy(() -> restore.get(60, TimeUnit.SECONDS))
        .hasRootCauseInstanceOf(FileSystemException.class);
    // The restore kept nothing, and said so: the fetch does not sit out the keep's wait.
    ShoalNode.Fetched fetched = joined.get(FetchFinisher.KEEP_WAIT_SECONDS / 2, TimeUnit.SECONDS);
    assertThat(fetched.entry().complete()).as("the joined fetch, once it returns").isTrue();
    assertThat(fresh.store().catalog().latestComplete("data")).isPresent();
  }

  /** A version of this size takes the slow seeders about 2 s: callers join while it runs. */
  private static final int JOINED_RESTORE_BYTES = 16 << 20;

  /** A node that joined 2 seeders of {@code source} uploading 4 MiB/s each, holding nothing. */
  private ShoalNode freshBesideSlowSeeders(Path source) throws Exception {
    List<ShoalNode> seeders = swarm.seeders(2, source);
    for (ShoalNode s : seeders) {
      s.setUploadLimit(4L << 20);
    }
    ShoalNode fresh = swarm.join("fresh", seeders.get(0));
    TestSwarm.awaitHolders(fresh, 2);
    return fresh;
  }

  @Test
  @DisplayName("links a restore left in the store's directory are removed when the node starts")
  void linksLeftByAStoppedNode_areRemovedAtStart() throws Exception {
    swarm.start(swarm.config("n")).close();
    Path leftover = Files.createDirectories(tmp.resolve("n/keeping/0123456789ab-1"));
    Files.writeString(leftover.resolve("0"), "a link the node held when it stopped");

    ShoalNode n = swarm.start(swarm.config("n"));

    assertThat(n.store().directory().orElseThrow()).isEqualTo(tmp.resolve("n"));
    assertThat(tmp.resolve("n/keeping")).doesNotExist();
  }

  /**
   * Waits until {@code n} holds version {@code version} of "data" complete, and has no restored
   * files linked any more.
   */
  private static void awaitKept(ShoalNode n, long version) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                n.store().catalog().latestComplete("data").map(e -> e.version()).orElse(0L)
                    == version);
    Path keeping = n.store().directory().orElseThrow().resolve("keeping");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              if (Files.exists(keeping)) {
                try (var left = Files.list(keeping)) {
                  assertThat(left).isEmpty();
                }
              }
            });
  }

  @Test
  @DisplayName(
      "a restore that joins the follow's running fetch mirrors what arrives from then on, exactly")
  void aRestoreThatJoinsTheFollowsFetch_mirrorsWhatArrivesFromThenOn() throws Exception {
    int size = 24 << 20;
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 34, size);
    List<ShoalNode> seeders = swarm.seeders(2, source);
    for (ShoalNode s : seeders) {
      s.setUploadLimit(4L << 20); // about 3 s for the whole: the restore joins halfway
    }
    ShoalNode follower =
        swarm.start(
            swarm
                .config("follower")
                .withSeeds(List.of(seeders.get(0).peerAddress()))
                .withFollow(List.of("*")));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> TransferTest.done(follower) > 0); // the follow's fetch has its data plan
    Path out = tmp.resolve("out/copy.bin");

    follower.materialize(new GetCall("data", out.toString(), false, false));

    assertThat(Files.mismatch(source, out)).isEqualTo(-1);
    double asFetched = written(follower, "as_fetched");
    double fromStore = written(follower, "from_store");
    assertThat(asFetched).as("written as it arrived, after the restore joined").isPositive();
    assertThat(fromStore).as("held when the restore joined").isPositive();
    assertThat(asFetched + fromStore).isEqualTo(size);
    awaitKept(follower, 1); // what arrived after the restore joined, from the files
  }

  @Test
  @DisplayName("a target that cannot take the snapshot fails the restore, but not the fetch")
  void aTargetThatCannotTakeTheSnapshot_failsTheRestore_butTheNodeStillFetchesIt()
      throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("tree/sub"));
    TestData.randomFile(dir.resolve("a.bin"), 32, 3 << 20);
    TestData.randomFile(tmp.resolve("tree/b.bin"), 33, 2 << 20);
    List<ShoalNode> seeders = swarm.seeders(1, tmp.resolve("tree"));
    ShoalNode fresh = swarm.join("fresh", seeders.get(0));
    TestSwarm.awaitHolders(fresh, 1);
    // With --force, only the snapshot's shape tells that a file cannot take a directory: the
    // target opens once the metadata is here, while the data is already being fetched.
    Path out = tmp.resolve("out");
    Files.writeString(out, "a file, not a directory");

    assertThatThrownBy(() -> fresh.materialize(new GetCall("data", out.toString(), true, false)))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("not a directory");

    assertThat(Files.readString(out)).isEqualTo("a file, not a directory");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> fresh.store().catalog().latestComplete("data").isPresent());
    assertThat(written(fresh, "as_fetched") + written(fresh, "from_store")).isZero();
    try (var left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .as("no hidden leftovers beside the target")
          .noneMatch(n -> n.startsWith(".out"));
    }
  }
}
