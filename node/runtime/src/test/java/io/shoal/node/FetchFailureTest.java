package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.gossip.Endpoint;
import io.shoal.node.api.GetCall;
import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fetch that cannot succeed says why within seconds, naming the seed and the cause, though it
 * would wait up to {@link #ANNOUNCEMENT_WAIT} for the swarm to announce the snapshot; and it says
 * that no member announces a name only once members were reached.
 */
class FetchFailureTest {
  /** What {@code shoal fetch} waits for an announcement. */
  static final Duration ANNOUNCEMENT_WAIT = Duration.ofSeconds(30);

  /** How soon each failure must be reported. */
  static final Duration FAILS_WITHIN = Duration.ofSeconds(10);

  static final long GET_TIMEOUT_SECONDS = 30;

  @TempDir Path tmp;

  private static Throwable fetchFailure(ShoalNode node, String ref) {
    return assertTimeoutPreemptively(
        FAILS_WITHIN,
        () -> catchThrowable(() -> node.fetch(SnapshotRef.parse(ref), ANNOUNCEMENT_WAIT)));
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void refusedPort_namesTheSeedAndTheRefusal() throws Exception {
    Endpoint seed = new Endpoint("127.0.0.1", closedPort());
    try (TestSwarm swarm = new TestSwarm(tmp)) {
      ShoalNode fetcher = swarm.start(swarm.insecureConfig("f").withSeeds(List.of(seed)));
      Throwable t = fetchFailure(fetcher, "docs");
      assertThat(t)
          .isInstanceOf(SeedsUnreachableException.class)
          .hasMessageContaining("cannot reach any seed to fetch docs")
          .hasMessageContaining(seed + ": connection refused");
    }
  }

  @Test
  void unresolvableHost_namesTheSeedAndTheName() throws Exception {
    Endpoint seed = new Endpoint("nosuchhost.invalid", 7420);
    try (TestSwarm swarm = new TestSwarm(tmp)) {
      ShoalNode fetcher = swarm.start(swarm.insecureConfig("f").withSeeds(List.of(seed)));
      assertThat(fetchFailure(fetcher, "docs"))
          .isInstanceOf(SeedsUnreachableException.class)
          .hasMessageContaining("nosuchhost.invalid:7420: host name 'nosuchhost.invalid'");
    }
  }

  @Test
  void otherClusterId_saysWhichClusterTheSeedIsIn() throws Exception {
    try (TestSwarm swarm = new TestSwarm(tmp)) {
      ShoalNode seed = swarm.start(swarm.insecureConfig("seed"));
      ShoalNode fetcher =
          swarm.start(
              swarm
                  .insecureConfig("f")
                  .withClusterId("elsewhere")
                  .withSeeds(List.of(seed.peerAddress())));
      assertThat(fetchFailure(fetcher, "docs"))
          .isInstanceOf(SeedsUnreachableException.class)
          .hasMessageContaining(
              seed.peerAddress()
                  + ": other cluster: it is in cluster 'default', this node in"
                  + " 'elsewhere'");
    }
  }

  @Test
  void anotherClustersCredentials_sayTlsRefusedThem() throws Exception {
    try (TestSwarm swarm = new TestSwarm(tmp.resolve("a"));
        TestSwarm strangers = new TestSwarm(tmp.resolve("b"))) {
      ShoalNode seed = swarm.start(swarm.config("seed"));
      ShoalNode fetcher =
          swarm.start(
              swarm
                  .insecureConfig("f")
                  .withCredentials(strangers.credentials("f"))
                  .withSeeds(List.of(seed.peerAddress())));
      assertThat(fetchFailure(fetcher, "docs"))
          .isInstanceOf(SeedsUnreachableException.class)
          .hasMessageContaining(seed.peerAddress() + ": TLS: ");
    }
  }

  @Test
  void noCredentialsForASecuredSeed_saysItClosedTheHandshake() throws Exception {
    try (TestSwarm swarm = new TestSwarm(tmp)) {
      ShoalNode seed = swarm.start(swarm.config("seed"));
      ShoalNode fetcher =
          swarm.start(swarm.insecureConfig("f").withSeeds(List.of(seed.peerAddress())));
      assertThat(fetchFailure(fetcher, "docs"))
          .isInstanceOf(SeedsUnreachableException.class)
          .hasMessageContaining(seed.peerAddress() + ": it closed the connection during the")
          .hasMessageContaining("pass --credentials");
    }
  }

  @Test
  void missingName_withAReachedSeed_saysNoMemberAnnouncesIt_promptly() throws Exception {
    Path src = TestData.randomFile(tmp.resolve("blob.bin"), 3, 200_000);
    try (TestSwarm swarm = new TestSwarm(tmp)) {
      ShoalNode seed = swarm.start(swarm.config("seed"));
      seed.publish(new PublishCall("blob", src.toString(), null, null, null));
      ShoalNode fetcher = swarm.join("f", seed);
      assertThat(fetchFailure(fetcher, "nosuch"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("no member of the swarm announces nosuch");
    }
  }

  @Test
  void getRightAfterJoining_waitsForTheSeedsCatalogs() throws Exception {
    Path src = TestData.randomFile(tmp.resolve("blob.bin"), 4, 200_000);
    try (TestSwarm swarm = new TestSwarm(tmp)) {
      ShoalNode seed = swarm.start(swarm.config("seed"));
      seed.publish(new PublishCall("blob", src.toString(), null, null, null));
      ShoalNode fresh = swarm.join("fresh", seed);
      Path out = tmp.resolve("out.bin");
      fresh
          .materializeAsync(new GetCall("blob", out.toString(), false, false))
          .get(GET_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(Files.mismatch(src, out)).isEqualTo(-1);
      Throwable missing =
          assertTimeoutPreemptively(
              FAILS_WITHIN,
              () ->
                  catchThrowable(
                      () ->
                          fresh
                              .materializeAsync(
                                  new GetCall("nosuch", tmp.resolve("n").toString(), false, false))
                              .get(GET_TIMEOUT_SECONDS, TimeUnit.SECONDS)));
      Throwable cause = missing instanceof ExecutionException e ? e.getCause() : missing;
      assertThat(cause)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("no member of the swarm announces nosuch");
    }
  }
}
