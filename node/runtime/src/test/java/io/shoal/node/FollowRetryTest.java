package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.node.api.PublishCall;
import io.shoal.node.core.TransferSession;
import io.shoal.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A follow whose fetch failed is tried again while its version is still the newest, on real nodes
 * in both membership modes: without it, a follower waits for the name's next version, which a
 * writer that has stopped never publishes.
 */
class FollowRetryTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private TestSwarm swarm;
  private ExecutorService gets;

  @BeforeEach
  void setUp() {
    swarm = new TestSwarm(tmp);
    gets = Executors.newFixedThreadPool(TransferSession.MAX_CONCURRENT_FETCHES);
  }

  @AfterEach
  void stopAll() {
    gets.shutdownNow();
    swarm.close();
  }

  private NodeConfig config(String name, String membership) {
    NodeConfig c = swarm.config(name);
    return membership.equals("views")
        ? c.withMembership(MembershipMode.views(ViewClusterTest.FAST))
        : c;
  }

  private static PublishCall publishCall(String name, Path file) {
    return new PublishCall(name, file.toAbsolutePath().toString(), null, null, null);
  }

  @ParameterizedTest(
      name =
          "{0} membership: a follow refused while the node ran its most fetches is fetched once"
              + " they end, with no newer version published")
  @ValueSource(strings = {"full", "views"})
  void aRefusedFollow_isFetchedOnceTheNodeHasRoom_withoutANewerVersion(String membership)
      throws Exception {
    ShoalNode seed = swarm.start(config("seed", membership));
    int busy = TransferSession.MAX_CONCURRENT_FETCHES;
    // Every busy snapshot holds the same file, larger than the seed's upload burst, and a tag of
    // its own. Past the burst the seed sends 1 KiB/s, so no get below ends until the limit is
    // lifted, however far apart they start (with a file each, smaller than the burst, the first
    // get could end before the last began, and the node never ran its most fetches).
    Path dir = tmp.resolve("busy");
    TestData.randomFile(dir.resolve("shared.bin"), 7, HttpUnderLoadTest.BEYOND_UPLOAD_BURST_BYTES);
    for (int i = 0; i < busy; i++) {
      TestData.file(dir.resolve("tag.txt"), Integer.toString(i).getBytes(StandardCharsets.UTF_8));
      seed.publish(publishCall("busy-" + i, dir));
    }
    seed.setUploadLimit(1024);
    ShoalNode follower =
        swarm.start(
            config("follower", membership)
                .withSeeds(List.of(seed.peerAddress()))
                .withFollow(List.of("orders")));
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < busy; i++) {
      SnapshotRef ref = SnapshotRef.parse("busy-" + i);
      running.add(gets.submit(() -> follower.fetch(ref, WAIT)));
    }
    await().atMost(WAIT).until(() -> follower.transfers().size() == busy);

    seed.publish(publishCall("orders", TestData.randomFile(tmp.resolve("orders"), 99, 64 << 10)));
    CatalogEntry published = seed.store().catalog().latestComplete("orders").orElseThrow();
    await().atMost(WAIT).until(() -> follower.metrics().followFailures.get() >= 1);
    assertThat(follower.store().catalog().latestComplete("orders"))
        .as("the follow's fetch was refused")
        .isEmpty();

    seed.setUploadLimit(0);
    for (Future<?> f : running) {
      f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(follower.store().catalog().latestComplete("orders"))
                    .as("the same version, tried again")
                    .hasValueSatisfying(e -> assertThat(e.root()).isEqualTo(published.root())));
    assertThat(seed.store().catalog().versions("orders")).hasSize(1);
  }

  @Test
  @DisplayName(
      "a follower cut off from the only holder during its fetch, past the no-peer timeout, fetches"
          + " the same version once the partition heals")
  void aFollowerCutOffPastTheNoPeerTimeout_fetchesTheSameVersionAfterTheHeal() throws Exception {
    ShoalNode seed = swarm.start(config("seed", "full"));
    seed.setUploadLimit(2L << 20); // 16 MiB in about 8 s: the cut comes in the middle
    ShoalNode follower =
        swarm.start(
            config("follower", "full")
                .withSeeds(List.of(seed.peerAddress()))
                .withFollow(List.of("data")));
    Path source = TestData.randomFile(tmp.resolve("data"), 5, 16 << 20);
    seed.publish(publishCall("data", source));
    CatalogEntry published = seed.store().catalog().latestComplete("data").orElseThrow();
    await().atMost(WAIT).until(() -> TransferTest.done(follower) > 0);

    seed.setTransportFilter(from -> !from.equals(follower.id()));
    follower.setTransportFilter(from -> !from.equals(seed.id()));
    await() // the seed declared dead, then no peer for StallPolicy.NO_PEER_TIMEOUT_NANOS (30 s)
        .atMost(Duration.ofSeconds(90))
        .until(() -> follower.metrics().followFailures.get() >= 1);
    assertThat(follower.transfers()).as("the fetch was given up").isEmpty();
    assertThat(follower.store().catalog().latestComplete("data")).isEmpty();

    seed.setTransportFilter(from -> true);
    follower.setTransportFilter(from -> true);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(follower.store().catalog().latestComplete("data"))
                    .hasValueSatisfying(e -> assertThat(e.root()).isEqualTo(published.root())));
    assertThat(seed.store().catalog().versions("data")).hasSize(1);
  }
}
