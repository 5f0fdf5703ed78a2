package io.shoal.node.core.membership;

import static io.shoal.node.core.membership.MembershipTest.drain;
import static io.shoal.node.core.membership.SwarmDirectoryTest.id;
import static io.shoal.node.core.membership.SwarmDirectoryTest.root;
import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.ClaimAuthority;
import io.shoal.gossip.ClaimPayloads;
import io.shoal.gossip.Credential;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Pin;
import io.shoal.gossip.Signature;
import io.shoal.node.core.PeerChoice.Candidate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Catalogs over Plumtree, driven by hand: payloads and sync pages are handed between nodes. */
class ViewCatalogsTest {
  static final NodeId A = id(1);
  static final NodeId B = id(2);
  static final NodeId C = id(3);
  static final NodeId M = id(9);
  static final long NOW = 5;

  static Endpoint at(NodeId id) {
    return new Endpoint("10.0.0." + id.low(), 7420);
  }

  static ViewCatalogs node(NodeId id, ClaimAuthority authority) {
    return new ViewCatalogs(id, at(id), "zone-" + id.low(), authority, List.of("*"), 1_000);
  }

  static ViewCatalogs signed(NodeId id) {
    return node(id, new TestSigner(id));
  }

  /** Version {@code version} of {@code name}, published and signed by {@code publisher}. */
  static HeldVersion held(NodeId publisher, String name, long version, boolean complete) {
    ChunkId r = root(name + "@" + version);
    byte[] sig = TestSigner.signature(publisher, ClaimPayloads.publication(name, version, r));
    return new HeldVersion(version, r, complete, 100, publisher, Signature.of(sig));
  }

  static List<byte[]> broadcasts(ViewCatalogs n) {
    return drain(n::pollBroadcast);
  }

  static void deliver(List<byte[]> payloads, ViewCatalogs... to) {
    for (ViewCatalogs n : to) {
      payloads.forEach(p -> n.onDelivery(p, NOW));
    }
  }

  /** Runs a whole sync of {@code from}'s table into {@code to}; returns the pages it took. */
  static int sync(ViewCatalogs to, NodeId toId, ViewCatalogs from, NodeId fromId) {
    int pages = 0;
    for (CatalogSyncRequest r = to.syncFor(fromId); r != null; pages++) {
      r = to.onSyncPage(fromId, from.onSyncRequest(toId, r), NOW);
      assertThat(pages).isLessThan(1_000);
    }
    return pages;
  }

  static long refused(ViewCatalogs n) {
    long sum = 0;
    for (CatalogRefusal r : CatalogRefusal.values()) {
      sum += n.refusals(r);
    }
    return sum;
  }

  @Test
  void announce_deliveredSigned_ownerUpWithAddressAndZone_holderListed_winnerFollowed() {
    ViewCatalogs a = signed(A);
    ViewCatalogs b = signed(B);
    HeldVersion v1 = held(A, "orders", 1, true);
    HeldVersion v2 = held(A, "orders", 2, false);

    a.announce("orders", new CatalogValue(List.of(v1, v2)), NOW);
    deliver(broadcasts(a), b);

    assertThat(b.directory().address(A)).isEqualTo(at(A));
    assertThat(b.directory().zoneOf(A)).isEqualTo("zone-1");
    assertThat(b.directory().of(v1.root())).containsExactly(new Candidate(A, true));
    assertThat(b.directory().of(v2.root())).containsExactly(new Candidate(A, false));
    List<Follow> follows = drain(b::pollFollow);
    // Only the best of the versions announced together is fetched (FollowRule).
    assertThat(follows).extracting(Follow::version).containsExactly(v2);
    assertThat(follows.get(0).publisherCredential()).isEqualTo(a.credentialOf(A));
    assertThat(refused(b)).isZero();
  }

  @Test
  @DisplayName(
      "the table as a catalog source: after a sync it shows the owner's catalog with the same"
          + " digest as the owner's own, counts the owner reachable and the sync; a leave drops it")
  void source_afterSync_showsTheOwner_andAfterLeave_not() {
    ViewCatalogs a = signed(A);
    ViewCatalogs b = signed(B);
    HeldVersion v1 = held(A, "orders", 1, true);
    a.announce("orders", new CatalogValue(List.of(v1)), NOW);
    broadcasts(a);
    assertThat(b.source().reachableMembers()).isOne();
    assertThat(b.source().syncReplies()).isZero();

    sync(b, B, a, A);

    assertThat(b.source().catalogs()).containsOnlyKeys(A);
    assertThat(b.source().catalogs().get(A).get("orders").versions()).containsExactly(v1);
    assertThat(b.source().relayedCatalogs()).isEqualTo(b.source().catalogs());
    assertThat(b.source().isTrusted(v1)).isTrue();
    assertThat(b.source().catalogDigest(A)).isEqualTo(a.source().catalogDigest(A));
    assertThat(b.source().credentialOf(A)).isEqualTo(a.credentialOf(A));
    assertThat(b.source().reachableMembers()).isEqualTo(2);
    assertThat(b.source().syncReplies()).isOne();

    a.onLeave(NOW);
    deliver(broadcasts(a), b);

    assertThat(b.source().catalogs()).isEmpty();
    assertThat(b.source().reachableMembers()).isOne();
  }

  @Test
  void announce_64VersionsWith72ByteSignatures_splitIntoPayloadsThatFit_reassembledInAnyOrder() {
    ViewCatalogs a = node(A, ClaimAuthority.unsigned());
    ViewCatalogs b = node(B, ClaimAuthority.unsigned());
    List<HeldVersion> versions = new ArrayList<>();
    for (int v = 1; v <= CatalogValue.MAX_VERSIONS; v++) {
      versions.add(
          new HeldVersion(v, root("o" + v), true, 1L << 40, A, Signature.of(new byte[72])));
    }
    Pin pin = new Pin(7, A, 3, root("o3"), Signature.of(new byte[72]));

    a.announce("orders-" + "x".repeat(100), new CatalogValue(versions, pin), NOW);
    List<byte[]> parts = broadcasts(a);
    Collections.reverse(parts);
    deliver(parts, b);

    assertThat(parts).hasSizeGreaterThan(1);
    assertThat(parts).allSatisfy(p -> assertThat(p.length).isLessThanOrEqualTo(1024));
    for (HeldVersion v : versions) {
      assertThat(b.directory().of(v.root())).containsExactly(new Candidate(A, true));
    }
    assertThat(b.followRule().knownWinner("orders-" + "x".repeat(100))).isEqualTo(versions.get(2));
    assertThat(refused(b)).isZero();
  }

  @Test
  void forgedSignature_isRefusedAndCounted() {
    ViewCatalogs a = signed(A);
    ViewCatalogs b = signed(B);
    a.announce("orders", new CatalogValue(List.of(held(A, "orders", 1, true))), NOW);
    List<byte[]> payloads = broadcasts(a);
    byte[] announcement = payloads.remove(payloads.size() - 1);
    deliver(payloads, b); // the credential

    byte[] forged = announcement.clone();
    forged[forged.length - 1] ^= 1;
    b.onDelivery(forged, NOW);

    assertThat(b.refusals(CatalogRefusal.FORGED)).isEqualTo(1);
    assertThat(b.directory().isUp(A)).isFalse();
    b.onDelivery(announcement, NOW);
    assertThat(b.directory().isUp(A)).isTrue();
  }

  @Test
  void announcementInAnotherOwnersName_isRefusedAsForged() {
    ViewCatalogs a = signed(A);
    ViewCatalogs b = signed(B);
    a.announce("orders", CatalogValue.removed(), NOW);
    deliver(broadcasts(a), b); // A's credential and a first announcement
    ViewCatalogs mallory = node(M, new TestSigner(M));
    mallory.announce("warmup", CatalogValue.removed(), NOW);
    deliver(broadcasts(mallory), b); // M's credential: M is a known member

    // M signs, with its own key, an announcement naming A as its owner
    List<byte[]> claim =
        CatalogCodec.announcement(
            A,
            1_000_000,
            at(M),
            "",
            "orders",
            new CatalogValue(List.of(held(A, "orders", 9, true))),
            new TestSigner(M));
    deliver(claim, b);

    assertThat(b.refusals(CatalogRefusal.FORGED)).isEqualTo(1);
    assertThat(b.directory().of(root("orders@9"))).isEmpty();
    assertThat(b.directory().address(A)).isEqualTo(at(A));
  }

  @Test
  void versionInAnotherPublishersName_isRefusedAsForged() {
    ViewCatalogs a = signed(A);
    ViewCatalogs b = signed(B);
    a.announce("warmup", CatalogValue.removed(), NOW);
    deliver(broadcasts(a), b);
    ChunkId r = root("evil");
    HeldVersion claimed =
        new HeldVersion(99, r, true, 1, B, Signature.of(TestSigner.signature(A, new byte[0])));
    b.announce("orders", CatalogValue.removed(), NOW); // B's own key is known to B

    a.announce("orders", new CatalogValue(List.of(claimed)), NOW);
    deliver(broadcasts(a), b);

    assertThat(b.refusals(CatalogRefusal.FORGED)).isEqualTo(1);
    assertThat(b.followRule().knownWinner("orders")).isNull();
  }

  @Test
  void truncatedPayload_isMalformed_oversizedPayload_isOversized_neitherThrows() {
    ViewCatalogs a = signed(A);
    ViewCatalogs b = signed(B);
    a.announce("orders", new CatalogValue(List.of(held(A, "orders", 1, true))), NOW);
    List<byte[]> payloads = broadcasts(a);
    byte[] announcement = payloads.get(payloads.size() - 1);

    b.onDelivery(Arrays.copyOf(announcement, announcement.length - 20), NOW);
    b.onDelivery(new byte[ViewCatalogs.MAX_PAYLOAD_BYTES + 1], NOW);
    b.onDelivery(new byte[0], NOW);

    assertThat(b.refusals(CatalogRefusal.MALFORMED)).isEqualTo(2);
    assertThat(b.refusals(CatalogRefusal.OVERSIZED)).isEqualTo(1);
    assertThat(b.owners()).isZero();
  }

  @Test
  void olderSequence_isStale_andTheNewerValueStays() {
    ViewCatalogs a = signed(A);
    ViewCatalogs b = signed(B);
    HeldVersion v1 = held(A, "orders", 1, true);
    HeldVersion v2 = held(A, "orders", 2, true);
    a.announce("orders", new CatalogValue(List.of(v1)), NOW);
    List<byte[]> first = broadcasts(a);
    a.announce("orders", new CatalogValue(List.of(v2)), NOW);
    List<byte[]> second = broadcasts(a);

    deliver(first.subList(0, first.size() - 1), b); // the credential
    deliver(second, b);
    deliver(first.subList(first.size() - 1, first.size()), b);

    assertThat(b.refusals(CatalogRefusal.STALE)).isEqualTo(1);
    assertThat(b.directory().of(v1.root())).isEmpty();
    assertThat(b.directory().of(v2.root())).containsExactly(new Candidate(A, true));
  }

  @Test
  @DisplayName("an announcement that arrives before its owner's 2 KB credential waits for it")
  void announcementBeforeItsCredential_waits_thenApplies() {
    ViewCatalogs a = node(A, new TestSigner(A, 2_000));
    ViewCatalogs b = signed(B);
    HeldVersion v1 = held(A, "orders", 1, true);
    a.announce("orders", new CatalogValue(List.of(v1)), NOW);
    List<byte[]> payloads = broadcasts(a);
    assertThat(payloads).hasSize(4); // 3 credential fragments, then the announcement

    Collections.reverse(payloads);
    deliver(payloads, b);

    assertThat(b.directory().of(v1.root())).containsExactly(new Candidate(A, true));
    assertThat(b.credentialOf(A).length()).isEqualTo(2_000);
    assertThat(refused(b)).isZero();
  }

  @Test
  @DisplayName("three nodes, by broadcast and by a joiner's sync, converge to the same directory")
  void threeNodes_byBroadcastAndSync_convergeToTheSameDirectory() {
    ViewCatalogs a = signed(A);
    ViewCatalogs b = signed(B);
    ViewCatalogs c = signed(C);
    Map<NodeId, ViewCatalogs> nodes = new TreeMap<>(Map.of(A, a, B, b, C, c));
    List<HeldVersion> held = new ArrayList<>();
    TreeMap<String, List<HeldVersion>> ofA = new TreeMap<>();
    for (int n = 0; n < 100; n++) { // enough names for two sync pages
      held.add(held(A, "name-" + n, 1, true));
      ofA.put("name-" + n, List.of(held.get(n)));
    }
    a.onLocalCatalog(new LocalCatalog(ofA, Map.of()), NOW);
    deliver(broadcasts(a), b); // A and B are linked; C is not there yet
    HeldVersion fromB = held(B, "name-0", 2, true);
    TreeMap<String, List<HeldVersion>> local = new TreeMap<>();
    local.put("name-0", List.of(held.get(0), fromB));
    b.onLocalCatalog( // B holds A's version and publishes a newer one
        new LocalCatalog(local, Map.of(A, Credential.of(TestSigner.credential(A, 0)))), NOW);
    deliver(broadcasts(b), a);

    int pages = sync(c, C, b, B); // C joins and links to B
    HeldVersion late = held(C, "name-1", 5, true);
    TreeMap<String, List<HeldVersion>> published = new TreeMap<>();
    published.put("name-1", List.of(late));
    c.onLocalCatalog(new LocalCatalog(published, Map.of()), NOW);
    deliver(broadcasts(c), a, b);

    assertThat(pages).isGreaterThan(1);
    for (ChunkId r : List.of(held.get(0).root(), held.get(99).root(), fromB.root(), late.root())) {
      List<NodeId> seenByA = holders(a, A, r, nodes);
      assertThat(holders(b, B, r, nodes)).as("holders of %s", r).isEqualTo(seenByA);
      assertThat(holders(c, C, r, nodes)).as("holders of %s", r).isEqualTo(seenByA);
    }
    for (String name : List.of("name-0", "name-1", "name-99")) {
      assertThat(b.followRule().knownWinner(name)).isEqualTo(a.followRule().knownWinner(name));
      assertThat(c.followRule().knownWinner(name)).isEqualTo(a.followRule().knownWinner(name));
    }
    assertThat(c.directory().zoneOf(A)).isEqualTo("zone-1");
    assertThat(refused(a) + refused(c)).isZero();
  }

  /** The holders of {@code r} as {@code n} sees them, itself included when it announced it. */
  static List<NodeId> holders(
      ViewCatalogs n, NodeId self, ChunkId r, Map<NodeId, ViewCatalogs> all) {
    List<NodeId> out = new ArrayList<>();
    for (Candidate h : n.directory().of(r)) {
      out.add(h.id());
    }
    for (NodeId other : all.keySet()) {
      if (!other.equals(self)
          && all.get(other).directory().of(r).stream().anyMatch(h -> h.id().equals(self))) {
        out.add(self);
        break;
      }
    }
    Collections.sort(out);
    return out;
  }

  @Test
  void leave_dropsTheOwnersHoldingsEverywhere_andReportsItGone_andOlderAnnouncementsStayStale() {
    ViewCatalogs a = signed(A);
    ViewCatalogs b = signed(B);
    HeldVersion v1 = held(A, "orders", 1, true);
    a.announce("orders", new CatalogValue(List.of(v1)), NOW);
    List<byte[]> announced = broadcasts(a);
    deliver(announced, b);

    a.onLeave(NOW);
    deliver(broadcasts(a), b);
    deliver(announced, b);

    assertThat(drain(b::pollGone)).containsExactly(A);
    assertThat(b.directory().isUp(A)).isFalse();
    assertThat(b.directory().of(v1.root())).isEmpty();
    assertThat(b.refusals(CatalogRefusal.STALE)).isEqualTo(1);
  }

  @Test
  void holderFailed_markedDown_untilItsNextAnnouncement() {
    ViewCatalogs a = signed(A);
    ViewCatalogs b = signed(B);
    HeldVersion v1 = held(A, "orders", 1, true);
    a.announce("orders", new CatalogValue(List.of(v1)), NOW);
    deliver(broadcasts(a), b);

    b.onHolderFailed(A, NOW);
    assertThat(drain(b::pollGone)).containsExactly(A);
    assertThat(b.directory().of(v1.root())).isEmpty();

    a.announce("users", CatalogValue.removed(), NOW);
    deliver(broadcasts(a), b);
    assertThat(b.directory().of(v1.root())).containsExactly(new Candidate(A, true));
  }

  @Test
  void syncPage_whoseCursorDoesNotAdvance_endsTheSync() {
    ViewCatalogs b = signed(B);
    byte[] cursor = {2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};
    b.syncFor(A);
    CatalogSyncRequest next = b.onSyncPage(A, new CatalogSyncPage(List.of(), cursor), NOW);

    assertThat(next).isNotNull();
    assertThat(b.onSyncPage(A, new CatalogSyncPage(List.of(), cursor), NOW)).isNull();
    assertThat(b.refusals(CatalogRefusal.MALFORMED)).isEqualTo(1);
  }

  @Test
  @DisplayName("the same catalog followed over Plumtree and over full gossip gives the same Follow")
  void follow_isTheSameAsFullMembership_forTheSameCatalog() {
    NodeId owner = MembershipTest.B;
    ChunkId v2 = root("v2");
    Pin pin = new Pin(7, owner, 1, MembershipTest.V1, Signature.NONE);
    CatalogValue value =
        new CatalogValue(
            List.of(
                MembershipTest.v(1, MembershipTest.V1, true, owner),
                MembershipTest.v(2, v2, true, owner)),
            pin);
    MembershipTest full = new MembershipTest();
    full.joined();
    full.b.setCatalog("orders", value, full.clock.nowNanos());
    full.runFor(1_000_000_000L);
    ViewCatalogs announcer =
        new ViewCatalogs(owner, MembershipTest.B_AT, "", ClaimAuthority.unsigned(), List.of(), 1);
    ViewCatalogs viewer =
        new ViewCatalogs(
            MembershipTest.A,
            MembershipTest.A_AT,
            "",
            ClaimAuthority.unsigned(),
            List.of("orders"),
            1);

    announcer.announce("orders", value, NOW);
    deliver(broadcasts(announcer), viewer);

    List<Follow> byGossip = drain(full.a::pollFollow);
    assertThat(byGossip)
        .last()
        .satisfies(f -> assertThat(f.version().root()).isEqualTo(MembershipTest.V1));
    assertThat(drain(viewer::pollFollow)).isEqualTo(byGossip);
    assertThat(drain(viewer::pollWinner)).isEqualTo(drain(full.a::pollWinner));
    assertThat(viewer.directory().of(v2)).isEqualTo(full.a.directory().of(v2));
  }
}
