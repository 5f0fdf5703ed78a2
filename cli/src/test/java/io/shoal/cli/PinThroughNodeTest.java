package io.shoal.cli;

import static io.shoal.cli.CliTest.shoal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.chunkstore.CatalogEntry;
import io.shoal.cli.CliTest.Run;
import io.shoal.gossip.GossipConfig;
import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.node.api.NodeStatus;
import io.shoal.node.security.NodeCredentials;
import io.shoal.testing.TestData;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollback on real nodes over loopback, through the CLI: a publisher pins an older version, a
 * follower that keeps one version fetches it again and keeps it although a higher one exists, keeps
 * the pin across a restart with nobody to tell it, and goes back to the highest on unpin.
 */
class PinThroughNodeTest {
  static final Duration CONVERGE = Duration.ofSeconds(60);

  @TempDir Path tmp;

  private NodeConfig secured(String name) throws Exception {
    Path credential = tmp.resolve("cred-" + name);
    Run issued =
        shoal("cluster", "issue", tmp.resolve("ca").toString(), "--out", credential.toString());
    assertThat(issued.code()).as(issued.err()).isZero();
    return NodeConfig.loopback(tmp.resolve(name))
        .withGossip(GossipConfig.defaults().scaledDown(10))
        .withCredentials(NodeCredentials.load(credential, Instant.now()));
  }

  private void publish(String version) throws Exception {
    Path src =
        TestData.randomFile(tmp.resolve("orders-" + version + ".bin"), version.hashCode(), 300_000);
    Run r = shoal("publish", "orders", src.toString(), "--data", tmp.resolve("p").toString());
    assertThat(r.code()).as(r.err()).isZero();
  }

  private static long winner(ShoalNode n) {
    return n.status().winners().stream()
        .filter(w -> w.name().equals("orders"))
        .mapToLong(NodeStatus.WinnerView::version)
        .findFirst()
        .orElse(0);
  }

  /** The winner of orders at {@code n}, and the versions of it that {@code n} holds. */
  private static String held(ShoalNode n) {
    return "winner "
        + winner(n)
        + ", holds "
        + n.store().catalog().versions("orders").stream()
            .map(e -> e.version() + (e.complete() ? " complete" : " partial"))
            .toList();
  }

  /** Whether {@code n} holds orders@version complete, and it is its winner. */
  private static boolean convergedOn(ShoalNode n, long version) {
    Optional<CatalogEntry> held = n.store().catalog().get("orders", version);
    return winner(n) == version && held.isPresent() && held.get().complete();
  }

  @Test
  @DisplayName(
      "pin orders@2 on the publisher: the follower converges on 2 over 3, keeps the pin across a"
          + " lone restart, and returns to 3 on unpin")
  void pin_rollsTheFollowerBack_andUnpinRestoresTheHighest() throws Exception {
    assertThat(shoal("cluster", "init", tmp.resolve("ca").toString()).code()).isZero();
    NodeConfig followerConfig = secured("f").withKeep(1); // so it must fetch version 2 again
    String pData = tmp.resolve("p").toString();
    String fData = tmp.resolve("f").toString();
    try (ShoalNode p = ShoalNode.start(secured("p"))) {
      List<io.shoal.gossip.Endpoint> seeds = List.of(p.peerAddress());
      try (ShoalNode f =
          ShoalNode.start(followerConfig.withSeeds(seeds).withFollow(List.of("*")))) {
        publish("v1");
        publish("v2");
        publish("v3");
        await() // a timeout says what the follower holds
            .atMost(CONVERGE)
            .untilAsserted(() -> assertThat(held(f)).isEqualTo("winner 3, holds [3 complete]"));

        Run pinned = shoal("pin", "orders@2", "--data", pData);
        assertThat(pinned.code()).as(pinned.err()).isZero();
        assertThat(pinned.out()).contains("pinned orders@2", "followers converge on it");
        await().atMost(CONVERGE).until(() -> convergedOn(f, 2) && winner(p) == 2);
        assertThat(f.store().catalog().get("orders", 3)).as("the newest stays too").isPresent();
        Run status = shoal("status", "--data", fData);
        assertThat(status.out()).contains("PINNED", "in force");
        JsonNode json =
            new ObjectMapper().readTree(shoal("status", "--data", fData, "--json").out());
        JsonNode pin = json.get("pins").get(0);
        assertThat(pin.get("name").asText()).isEqualTo("orders");
        assertThat(pin.get("version").asLong()).isEqualTo(2);
        assertThat(pin.get("pinner").asText()).isEqualTo(p.id().toHex());
      }
      try (ShoalNode lone = ShoalNode.start(followerConfig.withFollow(List.of("*")))) {
        // alone: only its pin file can tell it
        await().atMost(CONVERGE).until(() -> lone.status().pins().size() == 1);
        assertThat(winner(lone)).isEqualTo(2);
      }
      try (ShoalNode f =
          ShoalNode.start(followerConfig.withSeeds(seeds).withFollow(List.of("*")))) {
        Run unpinned = shoal("unpin", "orders", "--data", pData);
        assertThat(unpinned.code()).as(unpinned.err()).isZero();
        await().atMost(CONVERGE).until(() -> convergedOn(f, 3) && f.status().pins().isEmpty());
        assertThat(shoal("unpin", "orders", "--data", pData).err())
            .contains("orders is not pinned");
      }
    }
  }
}
