package io.shoal.gossip;

import static io.shoal.gossip.GossipHarness.stateOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.GossipHarness.Node;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GossipCoreTest {
  /** Defaults made ten times faster: 100 ms probes. */
  static final GossipConfig FAST = GossipConfig.defaults().scaledDown(10);

  static long s(double seconds) {
    return (long) (seconds * 1e9);
  }

  /** A harness for this class's runs: unsigned here, signed in {@link SignedGossipCoreTest}. */
  GossipHarness newHarness(long seed) {
    return new GossipHarness(FAST, seed);
  }

  GossipHarness cluster(int n, long seed) {
    GossipHarness h = newHarness(seed);
    for (int i = 0; i < n; i++) {
      h.add(i);
    }
    for (int i = 1; i < n; i++) {
      h.join(h.node(i), h.node(0).address);
    }
    h.runUntil(h::allAgreeOnMembers, s(0.1), s(30));
    return h;
  }

  @Test
  @DisplayName("five nodes joining through one seed all see each other alive, and stay so")
  void join_throughOneSeed_formsTheCluster() {
    GossipHarness h = cluster(5, 1);
    h.runFor(s(20));
    assertThat(h.allAgreeOnMembers()).isTrue();
    for (Node n : h.nodes()) {
      assertThat(n.events).noneMatch(e -> e instanceof GossipEvent.MemberSuspected);
    }
  }

  @Test
  @DisplayName("a joiner knows the seed's members and catalog once its first sync reply is in")
  void join_firstSyncReply_carriesTheSeedsCatalog() {
    GossipHarness h = newHarness(9);
    Node seed = h.add(0);
    h.publish(seed, "orders", 3, "r3");
    Node joiner = h.add(1);
    h.join(joiner, seed.address);
    h.runUntil(() -> joiner.core.syncReplies() > 0, s(0.001), s(5));
    assertThat(joiner.core.members()).hasSize(2);
    assertThat(joiner.core.catalogs()).containsKey(seed.id);
    assertThat(joiner.core.catalogs().get(seed.id)).containsKey("orders");
  }

  @Test
  @DisplayName("a crashed member is suspected, then declared dead by every other member")
  void crash_isSuspectedThenDeclaredDead() {
    GossipHarness h = cluster(5, 2);
    Node victim = h.node(3);
    h.crash(victim);
    long took =
        h.runUntil(
            () -> h.upNodes().stream().allMatch(n -> stateOf(n, victim.id) == MemberState.DEAD),
            s(0.1),
            s(60));
    // Suspicion lasts between its minimum and maximum; detection adds a probe round or two.
    long max = 6 * GossipMath.suspicionMinNanos(4, 5, FAST.probeIntervalNanos());
    assertThat(took).isLessThan(max + s(2));
    for (Node n : h.upNodes()) {
      assertThat(n.core.reconnectList()).contains(victim.id);
    }
    assertThat(h.node(0).events)
        .anyMatch(e -> e instanceof GossipEvent.MemberSuspected ms && ms.id().equals(victim.id));
  }

  @Test
  @DisplayName("a member that briefly misses its probes refutes the suspicion and stays alive")
  void suspicion_isRefutedByTheSuspect() {
    GossipHarness h = cluster(5, 3);
    Node x = h.node(4);
    long incarnation = x.core.incarnation();
    // Nothing reaches x for a while: every probe of it fails, directly and indirectly.
    h.block((from, to) -> to == x);
    h.runUntil(() -> stateOf(h.node(0), x.id) == MemberState.SUSPECT, s(0.05), s(30));
    h.heal();
    h.runUntil(() -> x.core.incarnation() > incarnation, s(0.05), s(30));
    h.runFor(s(5));
    for (Node n : h.upNodes()) {
      assertThat(stateOf(n, x.id)).isEqualTo(MemberState.ALIVE);
      assertThat(n.events).noneMatch(e -> e instanceof GossipEvent.MemberDown);
    }
    assertThat(x.events).anyMatch(e -> e instanceof GossipEvent.Refuted);
  }

  @Test
  @DisplayName("one broken link does not make a member suspect: indirect probes go around it")
  void oneBrokenLink_isBridgedByIndirectProbes() {
    GossipHarness h = cluster(5, 13);
    Node a = h.node(0);
    Node x = h.node(4);
    h.block((from, to) -> (from == a && to == x) || (from == x && to == a));
    h.runFor(s(20));
    for (Node n : h.upNodes()) {
      assertThat(n.events)
          .noneMatch(e -> e instanceof GossipEvent.MemberSuspected ms && ms.id().equals(x.id));
    }
  }

  @Test
  @DisplayName("a member restarted on a new address is the same member with a higher incarnation")
  void restart_onNewAddress_isTheSameMember() {
    GossipHarness h = cluster(5, 4);
    Node x = h.node(2);
    long before =
        h.node(0).core.members().stream()
            .filter(v -> v.id().equals(x.id))
            .findFirst()
            .orElseThrow()
            .incarnation();
    h.crash(x);
    h.runFor(s(1));
    Endpoint moved = GossipHarness.address(2, 9999);
    h.add(x.id, moved, 2);
    h.join(x, h.node(0).address);
    h.runUntil(
        () ->
            h.upNodes().stream()
                .allMatch(
                    n ->
                        n.core.members().stream()
                            .anyMatch(
                                v ->
                                    v.id().equals(x.id)
                                        && v.address().equals(moved)
                                        && v.state() == MemberState.ALIVE)),
        s(0.1),
        s(30));
    for (Node n : h.upNodes()) {
      assertThat(n.core.members()).hasSize(5);
      MemberView v =
          n.core.members().stream().filter(m -> m.id().equals(x.id)).findFirst().orElseThrow();
      assertThat(v.incarnation()).isGreaterThan(before);
    }
  }

  @Test
  @DisplayName(
      "a catalog entry reaches all of 100 members within a bounded number of gossip rounds")
  void dissemination_reachesAllOf100_inBoundedRounds() {
    GossipHarness h = cluster(100, 5);
    h.runFor(s(5));
    Node publisher = h.node(42);
    h.publish(publisher, "orders", 1, "a");
    long took =
        h.runUntil(
            () ->
                h.upNodes().stream()
                    .allMatch(
                        n ->
                            n.core
                                .catalogs()
                                .getOrDefault(publisher.id, new java.util.TreeMap<>())
                                .containsKey("orders")),
            FAST.gossipIntervalNanos() / 4,
            s(30));
    long rounds = took / FAST.gossipIntervalNanos() + 1;
    // Epidemic spread takes O(log N) rounds: log2(100) is about 7; allow a generous constant.
    assertThat(rounds).isLessThanOrEqualTo(20);
  }

  @Test
  @DisplayName(
      "partition 4-4 held past suspicion and dead retention, a version published on each side: after heal all agree")
  void partition_heldPastRetention_thenHealed_allAgree() {
    GossipHarness h = cluster(8, 6);
    Set<NodeId> left = new HashSet<>();
    Set<NodeId> right = new HashSet<>();
    for (Node n : h.nodes()) {
      (n.id.low() < 4 ? left : right).add(n.id);
    }
    h.publish(h.node(0), "orders", 1, "base");
    h.runFor(s(3));
    h.partition(left, right);
    long hold =
        6 * GossipMath.suspicionMinNanos(4, 8, FAST.probeIntervalNanos())
            + FAST.deadRetentionNanos()
            + s(10);
    h.runFor(s(2));
    h.publish(h.node(1), "orders", 2, "left side");
    h.publish(h.node(5), "orders", 2, "right side");
    h.runFor(hold);
    for (Node n : h.nodes()) {
      for (MemberView v : n.core.members()) {
        boolean sameSide = left.contains(n.id) == left.contains(v.id());
        assertThat(sameSide)
            .as("%s still lists %s after retention", n.id.shortHex(), v.id().shortHex())
            .isTrue();
      }
    }
    assertThat(h.allAgreeOnWinners()).isFalse();
    h.heal();
    long took = h.runUntil(() -> h.allAgreeOnMembers() && h.allAgreeOnWinners(), s(0.1), s(60));
    assertThat(took).isLessThan(s(10));
    var winner = h.node(0).core.winners().get("orders");
    ChunkId a = GossipHarness.root("left side");
    ChunkId b = GossipHarness.root("right side");
    assertThat(winner.version()).isEqualTo(2);
    assertThat(winner.root()).isEqualTo(a.compareTo(b) > 0 ? a : b);
  }

  @Test
  @DisplayName(
      "a member that leaves is LEFT everywhere, not suspected or dead, and not reconnected")
  void leave_isSeenAsLeft() {
    GossipHarness h = cluster(5, 7);
    Node x = h.node(1);
    h.leave(x);
    h.runFor(s(0.05));
    h.crash(x);
    h.runFor(s(3));
    for (Node n : h.upNodes()) {
      assertThat(stateOf(n, x.id)).isEqualTo(MemberState.LEFT);
      assertThat(n.core.reconnectList()).doesNotContain(x.id);
      assertThat(n.events).noneMatch(e -> e instanceof GossipEvent.MemberDown);
    }
  }

  @Test
  @DisplayName("the same seed gives the same run, event for event")
  void sameSeed_sameRun() {
    List<String> first = scenarioLog(99);
    List<String> second = scenarioLog(99);
    assertThat(first).isEqualTo(second).isNotEmpty();
    assertThat(scenarioLog(100)).isNotEqualTo(first);
  }

  private List<String> scenarioLog(long seed) {
    GossipHarness h = cluster(6, seed);
    h.crash(h.node(2));
    h.publish(h.node(1), "x", 1, "r");
    h.runFor(s(10));
    return h.log();
  }

  @Test
  @DisplayName("a quiet 16-member cluster sends a bounded number of messages per member")
  void quietCluster_sendsFewMessages() {
    GossipHarness h = cluster(16, 8);
    h.runFor(s(10));
    long before = h.messagesSent;
    h.runFor(s(10));
    double perMemberPerProbe =
        (h.messagesSent - before) / 16.0 / (s(10) / (double) FAST.probeIntervalNanos());
    // A ping and its ack per probe, plus push-pull exchanges.
    assertThat(perMemberPerProbe).isLessThan(4.0);
  }
}
