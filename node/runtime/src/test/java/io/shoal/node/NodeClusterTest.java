package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.StoreLockedException;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipConfig;
import io.shoal.gossip.NodeId;
import io.shoal.node.api.NodeStatus;
import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeClusterTest {
  /** Gossip ten times faster than the defaults: 100 ms probes, ~0.5-3 s to declare a death. */
  static final GossipConfig FAST = GossipConfig.defaults().scaledDown(10);

  @TempDir Path tmp;
  private final List<ShoalNode> nodes = new ArrayList<>();
  private TestSwarm swarm;

  @BeforeEach
  void makeSwarm() {
    swarm = new TestSwarm(tmp);
  }

  @AfterEach
  void stopAll() {
    nodes.forEach(ShoalNode::kill);
  }

  private ShoalNode start(NodeConfig base) throws Exception {
    ShoalNode n = ShoalNode.start(base);
    nodes.add(n);
    return n;
  }

  private NodeConfig config(String name) {
    return swarm.config(name);
  }

  private List<ShoalNode> swarm(int size) throws Exception {
    ShoalNode seed = start(config("n0"));
    List<ShoalNode> all = new ArrayList<>(List.of(seed));
    for (int i = 1; i < size; i++) {
      all.add(start(config("n" + i).withSeeds(List.of(seed.peerAddress()))));
    }
    awaitMembers(all, all.size());
    return all;
  }

  static long alive(ShoalNode n) {
    return n.status().members().stream().filter(m -> m.state().equals("alive")).count();
  }

  static void awaitMembers(List<ShoalNode> nodes, int aliveCount) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (ShoalNode n : nodes) {
                assertThat(alive(n))
                    .as("alive members seen by %s", n.id().shortHex())
                    .isEqualTo(aliveCount);
              }
            });
  }

  static String stateOf(ShoalNode observer, NodeId member) {
    return observer.status().members().stream()
        .filter(m -> m.id().equals(member.toHex()))
        .map(NodeStatus.Member::state)
        .findFirst()
        .orElse("unknown");
  }

  private PublishCall publishCall(String name, long seed) throws Exception {
    Path file =
        TestData.randomFile(tmp.resolve("src-" + name + "-" + seed + ".bin"), seed, 100_000);
    return new PublishCall(name, file.toAbsolutePath().toString(), null, null, null);
  }

  @Test
  @DisplayName(
      "five nodes form a swarm from one seed, and a snapshot published on one shows in every catalog")
  void fiveNodes_formASwarm_andShareCatalogs() throws Exception {
    List<ShoalNode> all = swarm(5);
    var outcome = all.get(2).publish(publishCall("orders", 1));
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              for (ShoalNode n : all) {
                var winner =
                    n.status().winners().stream()
                        .filter(w -> w.name().equals("orders"))
                        .findFirst();
                assertThat(winner).as("winner at %s", n.id().shortHex()).isPresent();
                assertThat(winner.get().root()).isEqualTo(outcome.root());
                assertThat(winner.get().completeHolders()).containsExactly(all.get(2).id().toHex());
              }
            });
  }

  @Test
  @DisplayName(
      "a killed node is marked dead by the others, and restarted on another port it is the same member again")
  void killedNode_isMarkedDead_andRestartsAsTheSameMember() throws Exception {
    List<ShoalNode> all = swarm(4);
    ShoalNode victim = all.get(3);
    NodeId id = victim.id();
    Endpoint oldAddress = victim.peerAddress();
    victim.kill();
    List<ShoalNode> rest = all.subList(0, 3);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (ShoalNode n : rest) {
                assertThat(stateOf(n, id)).isEqualTo("dead");
              }
            });
    long deadIncarnation =
        rest.get(0).status().members().stream()
            .filter(m -> m.id().equals(id.toHex()))
            .findFirst()
            .orElseThrow()
            .incarnation();

    ShoalNode back = start(config("n3").withSeeds(List.of(all.get(0).peerAddress())));
    assertThat(back.id()).isEqualTo(id);
    assertThat(back.peerAddress()).isNotEqualTo(oldAddress);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (ShoalNode n : rest) {
                var m =
                    n.status().members().stream()
                        .filter(x -> x.id().equals(id.toHex()))
                        .findFirst()
                        .orElseThrow();
                assertThat(m.state()).isEqualTo("alive");
                assertThat(m.address()).isEqualTo(back.peerAddress().toString());
                assertThat(m.incarnation()).isGreaterThan(deadIncarnation);
                assertThat(n.status().members()).hasSize(4);
              }
            });
  }

  @Test
  @DisplayName(
      "partition 3-3 held past the dead timeout, a new version on each side: after it ends all agree on members and winner")
  void partition_heldPastDeadTimeout_thenHealed_allAgree() throws Exception {
    List<ShoalNode> all = swarm(6);
    Set<NodeId> left = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      left.add(all.get(i).id());
    }
    all.get(0).publish(publishCall("orders", 10));
    for (ShoalNode n : all) {
      boolean inLeft = left.contains(n.id());
      n.setTransportFilter(from -> left.contains(from) == inLeft);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (ShoalNode n : all) {
                assertThat(alive(n)).isEqualTo(3);
                for (ShoalNode other : all) {
                  if (left.contains(other.id()) != left.contains(n.id())) {
                    assertThat(stateOf(n, other.id())).isIn("dead", "unknown");
                  }
                }
              }
            });
    all.get(1).publish(publishCall("orders", 11));
    all.get(4).publish(publishCall("orders", 12));
    for (ShoalNode n : all) {
      n.setTransportFilter(from -> true);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Set<String> winners = new HashSet<>();
              for (ShoalNode n : all) {
                assertThat(alive(n)).isEqualTo(6);
                var w =
                    n.status().winners().stream()
                        .filter(x -> x.name().equals("orders"))
                        .findFirst()
                        .orElseThrow();
                assertThat(w.version()).isEqualTo(2);
                winners.add(w.root());
              }
              assertThat(winners).hasSize(1);
            });
  }

  @Test
  @DisplayName("a node that leaves is seen as left, not dead")
  void gracefulLeave_isLeftNotDead() throws Exception {
    List<ShoalNode> all = swarm(3);
    ShoalNode leaver = all.get(2);
    NodeId id = leaver.id();
    leaver.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(stateOf(all.get(0), id)).isEqualTo("left");
              assertThat(stateOf(all.get(1), id)).isEqualTo("left");
            });
  }

  @Test
  @DisplayName(
      "a peer of another CA or without TLS is refused by a secured node; insecure nodes of another"
          + " cluster id are refused; all counted")
  void otherCaPlaintextOrCluster_isRefused() throws Exception {
    ShoalNode a = start(config("a"));
    TestSwarm other = new TestSwarm(tmp.resolve("other"));
    ShoalNode otherCa = start(other.config("b").withSeeds(List.of(a.peerAddress())));
    ShoalNode plaintext = start(swarm.insecureConfig("d").withSeeds(List.of(a.peerAddress())));
    ShoalNode good = start(config("e").withSeeds(List.of(a.peerAddress())));
    awaitMembers(List.of(a, good), 2);
    ShoalNode prod = start(swarm.insecureConfig("p").withClusterId("prod"));
    ShoalNode staging =
        start(
            swarm
                .insecureConfig("s")
                .withClusterId("staging")
                .withSeeds(List.of(prod.peerAddress())));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              String metrics = a.metrics().scrape();
              // In TLS 1.3 the client checks first: the stranger refuses a's certificate.
              assertThat(otherCa.metrics().scrape())
                  .contains("shoal_peer_handshakes_refused_total{reason=\"other_ca\"}");
              assertThat(metrics)
                  .contains("shoal_peer_handshakes_refused_total{reason=\"tls_alert\"}");
              assertThat(metrics)
                  .contains("shoal_peer_handshakes_refused_total{reason=\"not_tls\"}");
              assertThat(prod.metrics().scrape())
                  .contains("shoal_peer_handshakes_refused_total{reason=\"cluster_id\"}");
            });
    for (ShoalNode outsider : List.of(otherCa, plaintext, staging)) {
      assertThat(alive(outsider)).isEqualTo(1);
      assertThat(stateOf(a, outsider.id())).isEqualTo("unknown");
    }
    assertThat(alive(prod)).isEqualTo(1);
  }

  @Test
  @DisplayName("a second node on the same data directory is refused while the first runs")
  void secondNodeOnTheSameDirectory_isRefused() throws Exception {
    start(config("same"));
    assertThatThrownBy(() -> ShoalNode.start(config("same")))
        .isInstanceOf(StoreLockedException.class)
        .hasMessageContaining(tmp.resolve("same").toString());
  }
}
