package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.node.api.NodeStatus;
import io.shoal.node.api.PublishCall;
import io.shoal.node.core.TransferConfig;
import io.shoal.testing.TestData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerBanTest {
  /** Each snapshot's size; their bytes differ, so the second fetch moves all of its data. */
  static final long SNAPSHOT_BYTES = 8L << 20;

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
      "a seeder that served corrupt bytes is banned across fetches: the next fetch does not ask it,"
          + " and /status shows the ban")
  void corruptSeeder_bannedInOneFetch_isNotAskedByTheNext() throws Exception {
    ShoalNode first = swarm.start(swarm.config("s0"));
    ShoalNode good =
        swarm.start(
            swarm.config("s1").withSeeds(List.of(first.peerAddress())).withFollow(List.of("*")));
    ShoalNode liar =
        swarm.start(
            swarm
                .config("s2")
                .withSeeds(List.of(first.peerAddress()))
                .withFollow(List.of("*"))
                .withFaults(new Faults(true)));
    ShoalNode fresh = swarm.start(swarm.config("fresh").withSeeds(List.of(first.peerAddress())));

    publishAndSpread("one", first, good, liar, fresh);
    long beforeBanNanos = System.nanoTime();
    ShoalNode.Fetched one = fresh.fetch(SnapshotRef.parse("one"), Duration.ofSeconds(30));
    assertThat(one.result().bannedPeers()).containsExactly(liar.id().toHex());

    publishAndSpread("two", first, good, liar, fresh);
    double servedBefore = served(liar);
    ShoalNode.Fetched two = fresh.fetch(SnapshotRef.parse("two"), Duration.ofSeconds(30));

    assertThat(two.result().fetchedBytes())
        .as("two shares no data with one: every data chunk was fetched")
        .isGreaterThanOrEqualTo(SNAPSHOT_BYTES);
    assertThat(two.result().bannedPeers()).as("never asked, so never caught again").isEmpty();
    assertThat(served(liar)).as("the banned seeder served nothing").isEqualTo(servedBefore);
    List<NodeStatus.BannedPeer> banned = fresh.status().banned();
    assertThat(banned)
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.id()).isEqualTo(liar.id().toHex());
              assertThat(b.reason()).contains("failed verification");
              assertThat(b.millisLeft())
                  .as("banned for the configured time, counted from fetch one")
                  .isGreaterThanOrEqualTo(
                      (TransferConfig.BAN_NANOS - (System.nanoTime() - beforeBanNanos))
                          / 1_000_000);
            });
    assertThat(fresh.metrics().scrape())
        .contains("shoal_transfer_banned_peers 1.0")
        .contains("shoal_transfer_peers_banned_total 1.0");
  }

  /** Publishes NAME on {@code first}; waits until the seeders hold it and fresh knows all three. */
  private void publishAndSpread(
      String name, ShoalNode first, ShoalNode good, ShoalNode liar, ShoalNode fresh)
      throws Exception {
    Path source = TestData.randomFile(tmp.resolve(name + ".bin"), name.hashCode(), SNAPSHOT_BYTES);
    first.publish(new PublishCall(name, source.toAbsolutePath().toString(), null, null, null));
    for (ShoalNode n : List.of(good, liar)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> n.store().catalog().latestComplete(name).isPresent());
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                fresh.status().winners().stream()
                    .anyMatch(w -> w.name().equals(name) && w.completeHolders().size() == 3));
  }

  private static double served(ShoalNode n) {
    for (String line : n.metrics().scrape().lines().toList()) {
      if (line.startsWith("shoal_transfer_chunks_served_total ")) {
        return Double.parseDouble(line.substring(line.indexOf(' ') + 1));
      }
    }
    return 0;
  }
}
