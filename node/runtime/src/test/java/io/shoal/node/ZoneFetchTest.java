package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.node.api.GetCall;
import io.shoal.node.api.NodeStatus;
import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Zones between real nodes on loopback: a fetcher fills from its own zone first. */
class ZoneFetchTest {
  private static final int FILES = 8;
  private static final int FILE_BYTES = 1 << 20;

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

  private Path source() throws Exception {
    Path src = tmp.resolve("src");
    for (int i = 0; i < FILES; i++) {
      TestData.randomFile(src.resolve("f" + i + ".bin"), 90 + i, FILE_BYTES);
    }
    return src;
  }

  private ShoalNode seederInZoneA(Path src) throws Exception {
    ShoalNode a = swarm.start(swarm.config("a").withZone("a"));
    a.publish(new PublishCall("data", src.toAbsolutePath().toString(), null, null, null));
    return a;
  }

  @Test
  @DisplayName(
      "a fetcher in zone b with a complete holder in zone b receives no chunk byte from the seeder"
          + " in zone a")
  void fetch_completeHolderInOwnZone_nothingCrosses() throws Exception {
    Path src = source();
    ShoalNode a = seederInZoneA(src);
    ShoalNode b =
        swarm.start(
            swarm
                .config("b")
                .withZone("b")
                .withSeeds(List.of(a.peerAddress()))
                .withFollow(List.of("*")));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> b.store().catalog().latestComplete("data").isPresent());
    double sentByA = a.metrics().chunkSentBytes();
    ShoalNode f = swarm.start(swarm.config("f").withZone("b").withSeeds(List.of(a.peerAddress())));
    TestSwarm.awaitHolders(f, 2);
    // f may hear b's catalog before b's membership, and with it b's zone: until then b is in no
    // zone f knows, and f asked a too (CI, 3,304 bytes from a).
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> f.status().members().stream().filter(m -> "b".equals(m.zone())).count() == 2);

    f.fetch(SnapshotRef.parse("data"), Duration.ofSeconds(30));

    assertThat(a.metrics().chunkSentBytes() - sentByA).as("chunk bytes zone a sent").isZero();
    assertThat(f.metrics().crossZoneReceivedBytes.get()).as("bytes f took across").isZero();
    assertThat(f.metrics().chunkReceivedBytes()).as("bytes f took").isPositive();
    assertThat(f.status().members())
        .as("zones in f's status")
        .extracting(NodeStatus.Member::zone)
        .containsExactlyInAnyOrder("a", "b", "b");
    Path out = tmp.resolve("out");
    f.materialize(new GetCall("data", out.toString(), false, false));
    assertThat(Files.mismatch(src.resolve("f3.bin"), out.resolve("f3.bin"))).isEqualTo(-1);
  }
}
