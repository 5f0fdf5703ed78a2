package io.shoal.gossip;

import static io.shoal.gossip.GossipHarness.stateOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.GossipHarness.Node;
import io.shoal.gossip.GossipMessage.Gossip;
import io.shoal.gossip.GossipMessage.PingReq;
import io.shoal.gossip.GossipMessage.Sync;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A member of the cluster (it holds a valid credential, so the transport lets it in) lies in
 * gossip. Each test injects one lie into a signed cluster and checks that the claim is refused or
 * bounded, counted, and that the victim stays alive and keeps its versions.
 */
class GossipAttackTest {
  static final GossipConfig FAST = GossipConfig.defaults().scaledDown(10);

  private final TestCa ca = new TestCa(42);

  /** Five signed members: node 0 is the victim, node 4 the liar, the rest observers. */
  private GossipHarness cluster() {
    GossipHarness h = new GossipHarness(FAST, 42).signingWith(ca::authorityFor);
    for (int i = 0; i < 5; i++) {
      h.add(i);
    }
    for (int i = 1; i < 5; i++) {
      h.join(h.node(i), h.node(0).address);
    }
    h.runUntil(h::allAgreeOnMembers, s(0.1), s(30));
    h.publish(h.node(0), "orders", 7, "victim's orders");
    h.runUntil(() -> everyoneSees(h, h.node(0).id, "orders", 7), s(0.1), s(30));
    return h;
  }

  static long s(double seconds) {
    return (long) (seconds * 1e9);
  }

  private static boolean everyoneSees(GossipHarness h, NodeId owner, String name, long version) {
    return h.upNodes().stream()
        .allMatch(
            n -> {
              CatalogValue v =
                  n.core.catalogs().getOrDefault(owner, new java.util.TreeMap<>()).get(name);
              return v != null && v.versions().stream().anyMatch(x -> x.version() == version);
            });
  }

  private static long forged(Node n) {
    return n.core.refusedClaims(ClaimRefusal.FORGED);
  }

  /** The victim is alive everywhere and every node's winner of "orders" is its version 7. */
  private static void assertVictimIntact(GossipHarness h) {
    Node victim = h.node(0);
    for (Node n : h.upNodes()) {
      assertThat(stateOf(n, victim.id)).as("victim seen by %s", n.id).isEqualTo(MemberState.ALIVE);
      Winners.Winner w = n.core.winners().get("orders");
      assertThat(w).as("winner at %s", n.id).isNotNull();
      assertThat(w.version()).isEqualTo(7);
      assertThat(w.root()).isEqualTo(GossipHarness.root("victim's orders"));
      assertThat(w.completeHolders()).contains(victim.id);
    }
  }

  @Test
  @DisplayName("a catalog entry in the victim's name, signed by the liar, is refused everywhere")
  void catalogEntry_inAnotherOwnersName_isRefused() {
    GossipHarness h = cluster();
    Node victim = h.node(0);
    Node liar = h.node(4);
    Node observer = h.node(2);
    CatalogValue empty = CatalogValue.removed();
    long generation = 1;
    long version = 1_000;
    CatalogDelta lie =
        new CatalogDelta(
            victim.id,
            generation,
            version,
            "orders",
            empty,
            Signature.of(
                liar.authority.sign(
                    ClaimPayloads.catalogEntry(victim.id, generation, version, "orders", empty))));
    long before = forged(observer);
    h.inject(liar, observer, new Gossip(List.of(lie)));
    h.runFor(s(3));
    assertThat(forged(observer)).isGreaterThan(before);
    assertVictimIntact(h);
  }

  @Test
  @DisplayName("a forged generation cannot wipe the victim's catalog, in gossip or in a sync")
  void forgedGeneration_doesNotWipeTheOwnersCatalog() {
    GossipHarness h = cluster();
    Node victim = h.node(0);
    Node liar = h.node(4);
    Node observer = h.node(3);
    CatalogValue nothing = CatalogValue.removed();
    CatalogDelta reset =
        new CatalogDelta(victim.id, 1_000_000, 1, "orders", nothing, Signature.of(new byte[64]));
    CredentialDelta resetCredential =
        new CredentialDelta(
            victim.id,
            1_000_000,
            1,
            victim.id,
            Credential.of(ca.credentialOf(victim.id)),
            Signature.of(new byte[64]));
    long before = forged(observer);
    h.inject(liar, observer, new Gossip(List.of(resetCredential, reset)));
    h.inject(
        liar,
        observer,
        new Sync(Sync.Phase.FINAL, List.of(), List.of(), false, List.of(resetCredential, reset)));
    h.runFor(s(3));
    assertThat(forged(observer)).isGreaterThanOrEqualTo(before + 2);
    assertVictimIntact(h);
  }

  @Test
  @DisplayName(
      "a version announced in the victim's name with a forged publication is refused; the liar's"
          + " own huge version, which the observers do not trust, never wins")
  void forgedRoot_inAnotherPublishersName_isRefused_andUntrustedVersionNeverWins() {
    GossipHarness h =
        new GossipHarness(FAST, 42)
            .signingWith(
                id -> ca.authorityFor(id).trusting((publisher, root) -> publisher.equals(id(0))));
    for (int i = 0; i < 5; i++) {
      h.add(i);
    }
    for (int i = 1; i < 5; i++) {
      h.join(h.node(i), h.node(0).address);
    }
    h.runUntil(h::allAgreeOnMembers, s(0.1), s(30));
    Node victim = h.node(0);
    Node liar = h.node(4);
    h.publish(victim, "orders", 7, "victim's orders");
    h.runUntil(() -> everyoneSees(h, victim.id, "orders", 7), s(0.1), s(30));

    // 1. In its own, validly signed catalog, the liar claims the victim published version 10^9.
    ChunkId evil = GossipHarness.root("evil");
    HeldVersion forgedPublication =
        new HeldVersion(
            1_000_000_000L,
            evil,
            true,
            100,
            victim.id,
            Signature.of(
                liar.authority.sign(ClaimPayloads.publication("orders", 1_000_000_000L, evil))));
    CatalogDelta entry = liarsEntry(liar, "orders", forgedPublication, 500);
    Node observer = h.node(1);
    long before = forged(observer);
    h.inject(liar, observer, new Gossip(List.of(entry)));
    assertThat(forged(observer)).isGreaterThan(before);

    // 2. The liar publishes version 10^9 in its own name: relayed, but no observer trusts it.
    h.publish(liar, "orders", 1_000_000_000L, "liar's orders");
    h.runUntil(() -> everyoneSeesRelayed(h, liar.id, "orders"), s(0.1), s(30));
    h.runFor(s(2));
    for (Node n : h.upNodes()) {
      if (n == liar) {
        continue;
      }
      assertThat(n.core.winners().get("orders").version()).isEqualTo(7);
      assertThat(n.core.catalogs().getOrDefault(liar.id, new java.util.TreeMap<>()))
          .doesNotContainKey("orders");
    }
  }

  private static boolean everyoneSeesRelayed(GossipHarness h, NodeId owner, String name) {
    return h.upNodes().stream()
        .allMatch(
            n ->
                n.core
                    .relayedCatalogs()
                    .getOrDefault(owner, new java.util.TreeMap<>())
                    .containsKey(name));
  }

  /** An entry of the liar's own map, validly signed by the liar. */
  private static CatalogDelta liarsEntry(Node liar, String name, HeldVersion v, long version) {
    CatalogValue value = new CatalogValue(List.of(v));
    long generation = 1;
    return new CatalogDelta(
        liar.id,
        generation,
        version,
        name,
        value,
        Signature.of(
            liar.authority.sign(
                ClaimPayloads.catalogEntry(liar.id, generation, version, name, value))));
  }

  @Test
  @DisplayName(
      "a suspicion of the victim at incarnation Long.MAX_VALUE is refused: no overflow, the victim"
          + " stays alive everywhere")
  void incarnationMaxValue_isRefused_andTheVictimStaysAlive() {
    GossipHarness h = cluster();
    Node victim = h.node(0);
    Node liar = h.node(4);
    long incarnation = victim.core.incarnation();
    for (MemberState state : List.of(MemberState.SUSPECT, MemberState.DEAD, MemberState.ALIVE)) {
      MemberUpdate lie =
          new MemberUpdate(
              victim.id,
              victim.address,
              Long.MAX_VALUE,
              state,
              liar.id,
              Signature.of(new byte[64]));
      for (Node n : h.upNodes()) {
        if (n != liar) {
          h.inject(liar, n, new Gossip(List.of(lie)));
        }
      }
    }
    h.runFor(s(20));
    assertThat(victim.core.incarnation()).isEqualTo(incarnation);
    assertThat(forged(victim)).isPositive();
    assertThat(h.allAgreeOnMembers()).isTrue();
    assertVictimIntact(h);
  }

  @Test
  @DisplayName(
      "without signatures a claim at Long.MAX_VALUE cannot overflow the victim's refutation")
  void incarnationMaxValue_unsigned_doesNotOverflow() {
    GossipHarness h = new GossipHarness(FAST, 5);
    Node victim = h.add(0);
    Node liar = h.add(1);
    h.join(liar, victim.address);
    h.runUntil(h::allAgreeOnMembers, s(0.1), s(30));
    h.inject(
        liar,
        victim,
        new Gossip(
            List.of(
                new MemberUpdate(
                    victim.id,
                    victim.address,
                    Long.MAX_VALUE,
                    MemberState.SUSPECT,
                    liar.id,
                    Signature.NONE))));
    h.runFor(s(5)); // throws if any core throws
    assertThat(victim.core.incarnation()).isLessThan(Long.MAX_VALUE);
  }

  @Test
  @DisplayName("100,000 fake members with no credential are all refused; the cluster is unharmed")
  void hundredThousandFakeMembers_signed_areRefused() {
    GossipHarness h = cluster();
    Node liar = h.node(4);
    Node observer = h.node(1);
    long unverifiable = observer.core.refusedClaims(ClaimRefusal.UNVERIFIABLE);
    KeyPair rogue = ca.rogueKeyPair();
    injectFakeMembers(h, liar, observer, 100_000, rogue);
    assertThat(observer.core.memberCount()).isEqualTo(5);
    assertThat(observer.core.refusedClaims(ClaimRefusal.UNVERIFIABLE) - unverifiable)
        .isEqualTo(100_000);
    h.runFor(s(5));
    assertThat(h.allAgreeOnMembers()).isTrue();
    assertVictimIntact(h);
  }

  @Test
  @DisplayName(
      "without signatures 100,000 fake members fill the table only to its bound, and the real"
          + " members stay")
  void hundredThousandFakeMembers_unsigned_areBounded() {
    GossipHarness h = new GossipHarness(FAST, 6);
    for (int i = 0; i < 3; i++) {
      h.add(i);
    }
    for (int i = 1; i < 3; i++) {
      h.join(h.node(i), h.node(0).address);
    }
    h.runUntil(h::allAgreeOnMembers, s(0.1), s(30));
    Node liar = h.node(2);
    Node observer = h.node(1);
    injectFakeMembers(h, liar, observer, 100_000, null);
    assertThat(observer.core.memberCount()).isEqualTo(GossipConfig.MAX_MEMBERS);
    assertThat(observer.core.refusedClaims(ClaimRefusal.BOUNDS)).isPositive();
    assertThat(stateOf(observer, h.node(0).id)).isEqualTo(MemberState.ALIVE);
    assertThat(stateOf(observer, liar.id)).isEqualTo(MemberState.ALIVE);
  }

  private static void injectFakeMembers(
      GossipHarness h, Node liar, Node observer, int count, KeyPair signer) {
    List<GossipUpdate> batch = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      NodeId fake = new NodeId(0x7777_0000_0000_0000L, i);
      Endpoint at = new Endpoint("10.99." + (i / 250 % 250) + "." + (i % 250 + 1), 7420);
      byte[] sig =
          signer == null
              ? new byte[0]
              : i < 100
                  ? TestCa.sign(signer, ClaimPayloads.memberRecord(fake, at, 1, false))
                  : new byte[64];
      batch.add(new MemberUpdate(fake, at, 1, MemberState.ALIVE, fake, Signature.of(sig)));
      if (batch.size() == GossipConfig.MAX_PIGGYBACK_UPDATES) {
        h.inject(liar, observer, new Gossip(batch));
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      h.inject(liar, observer, new Gossip(batch));
    }
  }

  @Test
  @DisplayName("100,000 fake catalog owners are refused with signatures, bounded without")
  void hundredThousandFakeOwners_areRefusedOrBounded() {
    GossipHarness signed = cluster();
    Node observer = signed.node(1);
    injectFakeOwners(signed, signed.node(4), observer, 100_000);
    assertThat(observer.core.ownerCount()).isEqualTo(5);
    assertVictimIntact(signed);

    GossipHarness unsigned = new GossipHarness(FAST, 7);
    Node a = unsigned.add(0);
    Node b = unsigned.add(1);
    unsigned.join(b, a.address);
    unsigned.runUntil(unsigned::allAgreeOnMembers, s(0.1), s(30));
    injectFakeOwners(unsigned, b, a, 100_000);
    assertThat(a.core.ownerCount()).isEqualTo(GossipConfig.MAX_OWNERS);
    assertThat(a.core.refusedClaims(ClaimRefusal.BOUNDS)).isPositive();
  }

  private static void injectFakeOwners(GossipHarness h, Node liar, Node observer, int count) {
    List<GossipUpdate> batch = new ArrayList<>();
    ChunkId root = GossipHarness.root("fake");
    for (int i = 0; i < count; i++) {
      NodeId fake = new NodeId(0x6666_0000_0000_0000L, i);
      CatalogValue value =
          new CatalogValue(List.of(new HeldVersion(1, root, true, 1, fake, Signature.NONE)));
      batch.add(new CatalogDelta(fake, 1, 1, "fake", value, Signature.NONE));
      if (batch.size() == GossipConfig.MAX_PIGGYBACK_UPDATES) {
        h.inject(liar, observer, new Gossip(batch));
        batch = new ArrayList<>();
      }
    }
  }

  @Test
  @DisplayName("a PingReq about an unknown target sends nothing to the address it names")
  void pingReq_forUnknownTarget_sendsNothing() {
    GossipHarness h = cluster();
    Node liar = h.node(4);
    Node observer = h.node(2);
    Endpoint victimOfReflection = new Endpoint("192.0.2.1", 80);
    observer.core.onMessage(
        liar.id,
        liar.address,
        new PingReq(1, new NodeId(1, 2), victimOfReflection, List.of()),
        h.clock.nowNanos());
    for (Outbound o; (o = observer.core.pollSend()) != null; ) {
      assertThat(o.to()).isNotEqualTo(victimOfReflection);
    }
  }

  @Test
  @DisplayName("a PingReq about a known member probes it at its known address, not the one named")
  void pingReq_forKnownTarget_usesTheKnownAddress() {
    GossipHarness h = cluster();
    Node liar = h.node(4);
    Node observer = h.node(2);
    Node target = h.node(3);
    Endpoint elsewhere = new Endpoint("192.0.2.1", 80);
    observer.core.onMessage(
        liar.id, liar.address, new PingReq(1, target.id, elsewhere, List.of()), h.clock.nowNanos());
    List<Endpoint> sentTo = new ArrayList<>();
    for (Outbound o; (o = observer.core.pollSend()) != null; ) {
      sentTo.add(o.to());
    }
    assertThat(sentTo).contains(target.address).doesNotContain(elsewhere);
  }

  @Test
  @DisplayName("a revoked member is forgotten once the others learn of the revocation")
  void revokedMember_isForgotten() {
    GossipHarness h = cluster();
    Node revoked = h.node(4);
    ca.revoke(revoked.id);
    for (Node n : h.upNodes()) {
      if (n != revoked) {
        n.core.onCredentialsChanged(h.clock.nowNanos());
      }
    }
    h.crash(revoked); // the transport refuses it from now on
    h.runFor(s(5));
    for (Node n : h.upNodes()) {
      assertThat(stateOf(n, revoked.id))
          .as("at %s", n.id)
          .isNotIn(MemberState.ALIVE, MemberState.SUSPECT);
      assertThat(n.core.catalogs()).doesNotContainKey(revoked.id);
    }
    assertVictimIntact(h);
  }

  private static NodeId id(int i) {
    return GossipHarness.id(i);
  }
}
