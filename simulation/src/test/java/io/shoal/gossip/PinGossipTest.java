package io.shoal.gossip;

import static io.shoal.gossip.GossipHarness.held;
import static io.shoal.gossip.GossipHarness.root;
import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.GossipHarness.Node;
import io.shoal.gossip.GossipMessage.Gossip;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Pins and unpins on signed gossip cores: a pin outranks higher versions everywhere, the newest
 * claim wins on every node whatever order claims arrive in (a partition heal included), a pin to a
 * version nobody holds waits, and a claim that is unsigned, forged or made by a node the policy
 * does not trust is refused and counted.
 */
class PinGossipTest {
  static final GossipConfig FAST = GossipConfig.defaults().scaledDown(10);
  static final long T0_MILLIS = 1_700_000_000_000L;

  private final TestCa ca = new TestCa(7);

  /** Five signed members; node 0 publishes "orders" versions 1 to 3, which everyone sees. */
  private GossipHarness cluster() {
    GossipHarness h = new GossipHarness(FAST, 7).signingWith(ca::authorityFor);
    for (int i = 0; i < 5; i++) {
      h.add(i);
    }
    for (int i = 1; i < 5; i++) {
      h.join(h.node(i), h.node(0).address);
    }
    h.runUntil(h::allAgreeOnMembers, s(0.1), s(30));
    Node p = h.node(0);
    h.publish(
        p,
        "orders",
        new CatalogValue(
            List.of(
                held(p, "orders", 1, "v1"),
                held(p, "orders", 2, "v2"),
                held(p, "orders", 3, "v3"))));
    h.runUntil(() -> everyoneWins(h, 3), s(0.1), s(30));
    return h;
  }

  static long s(double seconds) {
    return (long) (seconds * 1e9);
  }

  private static Pin pin(GossipHarness h, Node n, long version, String rootSeed, long millis) {
    Pin[] made = new Pin[1];
    ChunkId r = rootSeed == null ? null : root(rootSeed);
    n.pump.run("a pin", c -> made[0] = c.pin("orders", version, r, millis, h.clock.nowNanos()));
    return made[0];
  }

  private static boolean everyoneWins(GossipHarness h, long version) {
    return h.upNodes().stream()
        .allMatch(
            n -> {
              Winners.Winner w = n.core.winners().get("orders");
              return w != null && w.version() == version;
            });
  }

  private static Set<Pin> pinsSeen(GossipHarness h) {
    return h.upNodes().stream().map(n -> n.core.pins().get("orders")).collect(Collectors.toSet());
  }

  @Test
  @DisplayName("a pin to version 2 makes it every node's winner over version 3; unpin restores 3")
  void pin_outranksHigherVersions_untilUnpinned() {
    GossipHarness h = cluster();
    Pin pinned = pin(h, h.node(0), 2, "v2", T0_MILLIS);
    h.runUntil(() -> everyoneWins(h, 2), s(0.1), s(30));
    for (Node n : h.upNodes()) {
      assertThat(n.core.winners().get("orders").root()).isEqualTo(root("v2"));
      assertThat(n.core.activePins()).containsEntry("orders", pinned);
    }
    Pin unpinned = pin(h, h.node(0), 0, null, T0_MILLIS + 1);
    assertThat(unpinned.isUnpin()).isTrue();
    h.runUntil(() -> everyoneWins(h, 3), s(0.1), s(30));
    for (Node n : h.upNodes()) {
      assertThat(n.core.activePins()).isEmpty();
      assertThat(n.core.pins()).containsEntry("orders", unpinned); // kept: an old pin cannot return
    }
  }

  @Test
  @DisplayName("a pin made on a non-publisher is stamped past every claim it knows, even behind")
  void pin_withAClockBehind_isStampedPastTheNewestKnownClaim() {
    GossipHarness h = cluster();
    Pin first = pin(h, h.node(0), 2, "v2", T0_MILLIS);
    h.runUntil(() -> pinsSeen(h).equals(Set.of(first)), s(0.1), s(30));
    Pin later = pin(h, h.node(3), 1, "v1", T0_MILLIS - 60_000); // its clock is a minute behind
    assertThat(later.stamp()).isEqualTo(first.stamp() + 1);
    h.runUntil(() -> everyoneWins(h, 1), s(0.1), s(30));
    assertThat(pinsSeen(h)).containsExactly(later);
  }

  @Test
  @DisplayName("claims made on both sides of a partition resolve to the same pin on every node")
  void conflictingPins_fromAPartition_resolveTheSameEverywhere() {
    GossipHarness h = cluster();
    Set<NodeId> left = Set.of(h.node(0).id, h.node(1).id);
    Set<NodeId> right = Set.of(h.node(2).id, h.node(3).id, h.node(4).id);
    h.partition(left, right);
    Pin newer = pin(h, h.node(1), 1, "v1", T0_MILLIS + 5);
    Pin older = pin(h, h.node(3), 2, "v2", T0_MILLIS);
    Pin sameStampUnpin = pin(h, h.node(4), 0, null, T0_MILLIS + 5);
    h.runFor(s(5));
    assertThat(h.node(0).core.pins().get("orders")).isEqualTo(newer);
    Pin rightWinner = Pin.newest(older, sameStampUnpin);
    assertThat(h.node(2).core.pins().get("orders")).isEqualTo(rightWinner);
    h.heal();
    h.runUntil(() -> pinsSeen(h).size() == 1, s(0.1), s(120));
    Pin expected = Pin.newest(newer, sameStampUnpin); // equal stamps: the greater pinner id
    assertThat(pinsSeen(h)).containsExactly(expected);
    long version = expected.isUnpin() ? 3 : expected.version();
    h.runUntil(() -> everyoneWins(h, version), s(0.1), s(30));
    assertThat(h.allAgreeOnWinners()).isTrue();
  }

  @Test
  @DisplayName("a pin to a version nobody holds waits: no winner, until a holder announces it")
  void pin_toAVersionNobodyHolds_waits() {
    GossipHarness h = cluster();
    Node p = h.node(0);
    pin(h, p, 4, "v4", T0_MILLIS);
    h.runUntil(
        () -> h.upNodes().stream().allMatch(n -> n.core.activePins().containsKey("orders")),
        s(0.1),
        s(30));
    h.runFor(s(2));
    for (Node n : h.upNodes()) {
      assertThat(n.core.winners()).doesNotContainKey("orders");
    }
    h.publish(
        h.node(2),
        "orders",
        new CatalogValue(List.of(held(p, "orders", 3, "v3"), held(p, "orders", 4, "v4"))));
    h.runUntil(() -> everyoneWins(h, 4), s(0.1), s(30));
  }

  @Test
  @DisplayName("the pin outlives its pinner: every node carries it in its own entry")
  void pin_outlivesItsPinner() {
    GossipHarness h = cluster();
    Node p = h.node(0);
    h.publish(h.node(1), "orders", new CatalogValue(List.of(held(p, "orders", 2, "v2"))));
    Pin pinned = pin(h, p, 2, "v2", T0_MILLIS);
    h.runUntil(() -> pinsSeen(h).equals(Set.of(pinned)), s(0.1), s(30));
    h.crash(p);
    h.runFor(s(60)); // long past the dead member's retention
    for (Node n : h.upNodes()) {
      assertThat(n.core.catalogs()).doesNotContainKey(p.id);
      assertThat(n.core.activePins()).containsEntry("orders", pinned);
      assertThat(n.core.winners().get("orders").version()).isEqualTo(2);
    }
  }

  /** An entry of {@code owner}'s map, correctly signed by the owner, carrying {@code claim}. */
  private static CatalogDelta entryCarrying(Node owner, long version, Pin claim) {
    CatalogValue value = CatalogValue.removed().withPin(claim);
    long generation = 1;
    return new CatalogDelta(
        owner.id,
        generation,
        version,
        "orders",
        value,
        Signature.of(
            owner.authority.sign(
                ClaimPayloads.catalogEntry(owner.id, generation, version, "orders", value))));
  }

  private static Pin claim(long stamp, NodeId pinner, long version, String seed, byte[] sig) {
    return new Pin(stamp, pinner, version, root(seed), Signature.of(sig));
  }

  @Test
  @DisplayName("an unsigned or forged pin is refused, counted, and changes no winner")
  void unsignedOrForgedPin_isRefusedAndCounted() {
    GossipHarness h = cluster();
    Node liar = h.node(4);
    Node observer = h.node(2);
    long stamp = T0_MILLIS;
    Pin unsigned = claim(stamp, h.node(0).id, 1, "v1", new byte[0]);
    byte[] payload = ClaimPayloads.pin("orders", stamp, h.node(0).id, 1, root("v1"));
    Pin forged = claim(stamp, h.node(0).id, 1, "v1", TestCa.sign(ca.rogueKeyPair(), payload));
    Pin liarsOwnWordForP = claim(stamp, h.node(0).id, 1, "v1", liar.authority.sign(payload));
    long before = observer.core.refusedClaims(ClaimRefusal.FORGED);
    List<Pin> lies = List.of(unsigned, forged, liarsOwnWordForP);
    IntStream.range(0, lies.size())
        .forEach(
            i ->
                h.inject(
                    liar,
                    observer,
                    new Gossip(List.of(entryCarrying(liar, 1_000 + i, lies.get(i))))));
    h.runFor(s(3));
    assertThat(observer.core.refusedClaims(ClaimRefusal.FORGED)).isEqualTo(before + 3);
    for (Node n : h.upNodes()) {
      assertThat(n.core.pins()).isEmpty();
      assertThat(n.core.winners().get("orders").version()).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("a signed pin by a node the policy does not trust is relayed, never honoured")
  void pin_byAnUntrustedPinner_isNotHonoured_andCounted() {
    NodeId publisher = GossipHarness.id(0);
    GossipHarness h =
        new GossipHarness(FAST, 7)
            .signingWith(id -> ca.authorityFor(id).trusting((by, r) -> by.equals(publisher)));
    for (int i = 0; i < 3; i++) {
      h.add(i);
    }
    for (int i = 1; i < 3; i++) {
      h.join(h.node(i), h.node(0).address);
    }
    h.runUntil(h::allAgreeOnMembers, s(0.1), s(30));
    Node p = h.node(0);
    h.publish(
        p,
        "orders",
        new CatalogValue(List.of(held(p, "orders", 1, "v1"), held(p, "orders", 2, "v2"))));
    h.runUntil(() -> everyoneWins(h, 2), s(0.1), s(30));
    pin(h, h.node(2), 1, "v1", T0_MILLIS); // a member, but not a trusted publisher
    h.runFor(s(5));
    for (Node n : h.upNodes()) {
      assertThat(n.core.activePins()).isEmpty();
      assertThat(n.core.winners().get("orders").version()).isEqualTo(2);
    }
    assertThat(h.node(1).core.refusedClaims(ClaimRefusal.UNTRUSTED_PIN)).isPositive();
  }
}
