package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.gossip.CatalogDelta;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.ClaimPayloads;
import io.shoal.gossip.GossipMessage;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.MemberState;
import io.shoal.gossip.MemberUpdate;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Signature;
import io.shoal.node.api.NodeStatus;
import io.shoal.node.api.PublishCall;
import io.shoal.node.core.ChunkBitmap;
import io.shoal.node.core.TransferMessage;
import io.shoal.node.net.PeerTransport;
import io.shoal.node.security.NodeCredentials;
import io.shoal.testing.TestData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Members of the cluster (each holds a valid credential, so TLS lets it in) that lie in gossip,
 * against real secured nodes: every lie is refused and counted, and the victim stays alive and
 * keeps its versions. Also the node's own trust rules: an untrusted publisher's version never
 * becomes a winner, is never followed, and never pushes a trusted version out by retention.
 */
class ClaimTrustTest {
  @TempDir Path tmp;
  private TestSwarm swarm;

  @BeforeEach
  void makeSwarm() {
    swarm = new TestSwarm(tmp);
  }

  @AfterEach
  void stop() {
    swarm.close();
  }

  private static long refused(ShoalNode n, String reason) {
    Matcher m =
        Pattern.compile("shoal_gossip_claims_refused_total\\{reason=\"" + reason + "\"} ([0-9.E]+)")
            .matcher(n.metrics().scrape());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  private Path data(String name, int seed) throws Exception {
    return TestData.randomFile(tmp.resolve(name + ".bin"), seed, 200_000);
  }

  private static NodeStatus.WinnerView winner(ShoalNode n, String name) {
    return n.status().winners().stream()
        .filter(w -> w.name().equals(name))
        .findFirst()
        .orElse(null);
  }

  /** A member that speaks the protocol itself, with a credential of the swarm's CA. */
  private PeerTransport rogue(NodeCredentials credentials) throws Exception {
    return swarm.rogue(credentials, message -> {});
  }

  @Test
  @DisplayName(
      "a member forging the victim's catalog entry, a new generation of it, a version in its"
          + " name and a suspicion at Long.MAX_VALUE: each is refused and counted, the victim"
          + " stays alive and keeps its version")
  void forgedClaimsFromAMember_areRefused_andTheVictimKeepsItsVersion() throws Exception {
    ShoalNode victim = swarm.start(swarm.config("victim"));
    ShoalNode observer = swarm.join("observer", victim);
    NodeClusterTest.awaitMembers(List.of(victim, observer), 2);
    victim.publish(
        new PublishCall("orders", data("orders", 1).toAbsolutePath().toString(), null, null, null));
    await().atMost(Duration.ofSeconds(20)).until(() -> winner(observer, "orders") != null);
    NodeStatus.WinnerView before = winner(observer, "orders");

    NodeCredentials mallory = swarm.credentials("mallory");
    PeerTransport liar = rogue(mallory);
    NodeId victimId = victim.id();
    // 1. The victim's catalog entry, emptied, under a huge generation, signed by the liar.
    CatalogValue nothing = CatalogValue.removed();
    CatalogDelta wipe =
        new CatalogDelta(
            victimId,
            1_000_000,
            1,
            "orders",
            nothing,
            Signature.of(
                mallory.sign(
                    ClaimPayloads.catalogEntry(victimId, 1_000_000, 1, "orders", nothing))));
    // 2. The liar's own entry, validly signed by it, holding version 10^9 "published" by the
    //    victim with a publication signature the liar made.
    ChunkId evil = HashAlgorithm.XXH128.hash(new byte[] {6, 6, 6});
    long huge = 1_000_000_000L;
    CatalogValue claim =
        new CatalogValue(
            List.of(
                new HeldVersion(
                    huge,
                    evil,
                    true,
                    1,
                    victimId,
                    Signature.of(mallory.sign(ClaimPayloads.publication("orders", huge, evil))))));
    CatalogDelta inVictimsName =
        new CatalogDelta(
            mallory.nodeId(),
            1,
            7,
            "orders",
            claim,
            Signature.of(
                mallory.sign(ClaimPayloads.catalogEntry(mallory.nodeId(), 1, 7, "orders", claim))));
    // 3. A suspicion of the victim at the end of the incarnation range.
    MemberUpdate overflow =
        new MemberUpdate(
            victimId,
            victim.peerAddress(),
            Long.MAX_VALUE,
            MemberState.SUSPECT,
            mallory.nodeId(),
            Signature.of(new byte[64]));
    long forgedBefore = refused(observer, "forged");
    // Connect first (an empty gossip is harmless): the attack is then sent once, over links that
    // are up, so each of its three messages is counted once.
    for (ShoalNode target : List.of(observer, victim)) {
      liar.send(target.peerAddress(), new GossipMessage.Gossip(List.of()));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> liar.authenticatedPeers().size() >= 2);
    for (ShoalNode target : List.of(observer, victim)) {
      liar.send(target.peerAddress(), new GossipMessage.Gossip(List.of(wipe)));
      liar.send(target.peerAddress(), new GossipMessage.Gossip(List.of(inVictimsName)));
      liar.send(target.peerAddress(), new GossipMessage.Gossip(List.of(overflow)));
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(refused(observer, "forged")).isGreaterThanOrEqualTo(forgedBefore + 3);
              // The victim reads its copies on its own loop: waited for too, not assumed done.
              assertThat(refused(victim, "forged")).isPositive();
            });

    // Nothing changed: the same winner everywhere, the victim alive, after a while too.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(winner(observer, "orders")).isEqualTo(before);
              assertThat(NodeClusterTest.alive(observer)).isEqualTo(2);
              assertThat(
                      victim.status().members().stream()
                          .filter(NodeStatus.Member::self)
                          .findFirst()
                          .orElseThrow()
                          .incarnation())
                  .isLessThan(Long.MAX_VALUE);
            });
  }

  @Test
  @DisplayName(
      "a follower that trusts only one publisher never fetches another member's huge version,"
          + " whose name it shares, and keeps the trusted version through retention")
  void untrustedPublisher_neverWins_neverFetched_neverEvictsATrustedVersion() throws Exception {
    ShoalNode publisher = swarm.start(swarm.config("publisher"));
    ShoalNode liar = swarm.join("liar", publisher);
    ShoalNode follower =
        swarm.start(
            swarm
                .config("follower")
                .withSeeds(List.of(publisher.peerAddress()))
                .withFollow(List.of("*"))
                .withKeep(1)
                .toBuilder()
                .trustedPublishers(List.of(publisher.id()))
                .build());
    NodeClusterTest.awaitMembers(List.of(publisher, liar, follower), 3);
    publisher.publish(
        new PublishCall("orders", data("good", 2).toAbsolutePath().toString(), null, null, null));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> follower.store().catalog().latestComplete("orders").isPresent());
    CatalogEntry good = follower.store().catalog().latestComplete("orders").orElseThrow();

    liar.publish(
        new PublishCall(
            "orders", data("evil", 3).toAbsolutePath().toString(), 1_000_000_000L, null, null));
    // The liar's version reaches the follower's view of the swarm (relayed) ...
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                follower.status().catalogs().stream()
                    .anyMatch(
                        c ->
                            c.owner().equals(liar.id().toHex())
                                && c.entries().stream()
                                    .anyMatch(
                                        e ->
                                            e.name().equals("orders")
                                                && e.versions().stream()
                                                    .anyMatch(
                                                        h -> h.version() == 1_000_000_000L))));
    // ... but never wins there, is never fetched, and the trusted version stays.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(winner(follower, "orders").version()).isEqualTo(good.version());
              assertThat(follower.store().catalog().versions("orders")).containsExactly(good);
              assertThat(follower.transfers()).isEmpty();
            });
    assertThatThrownBy(() -> follower.fetch(SnapshotRef.parse("orders@1000000000"), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not trust");
    // A node that trusts every publisher of the cluster does see the liar's version win.
    assertThat(winner(publisher, "orders").version()).isEqualTo(1_000_000_000L);
  }

  @Test
  @DisplayName(
      "a node that requires sha256 never follows an xxh128 snapshot, refuses to fetch it by name,"
          + " and publishes with sha256")
  void requireSha256_refusesXxh128Snapshots_andPublishesSha256() throws Exception {
    ShoalNode publisher = swarm.start(swarm.config("publisher"));
    ShoalNode strict =
        swarm.start(
            swarm
                .config("strict")
                .withSeeds(List.of(publisher.peerAddress()))
                .withFollow(List.of("*"))
                .toBuilder()
                .requireSha256(true)
                .build());
    NodeClusterTest.awaitMembers(List.of(publisher, strict), 2);
    publisher.publish(
        new PublishCall("fast", data("fast", 4).toAbsolutePath().toString(), null, "xxh128", null));
    publisher.publish(
        new PublishCall("safe", data("safe", 5).toAbsolutePath().toString(), null, "sha256", null));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> strict.store().catalog().latestComplete("safe").isPresent());
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(strict.store().catalog().versions("fast")).isEmpty());
    assertThatThrownBy(() -> strict.fetch(SnapshotRef.parse("fast"), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not trust");
    var own =
        strict.publish(
            new PublishCall("mine", data("mine", 6).toAbsolutePath().toString(), null, null, null));
    assertThat(own.hash()).isEqualTo("sha256");
    assertThatThrownBy(
            () ->
                strict.publish(
                    new PublishCall(
                        "weak", data("weak", 7).toAbsolutePath().toString(), null, "xxh128", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requires sha256");
  }

  @Test
  @DisplayName(
      "a node that requires sha256 does not announce the xxh128 snapshot it holds, and refuses a"
          + " peer that asks for it anyway")
  void requireSha256_refusesToServeXxh128() throws Exception {
    NodeConfig before = swarm.config("strict");
    ShoalNode loose = swarm.start(before);
    var old =
        loose.publish(
            new PublishCall(
                "old", data("old", 9).toAbsolutePath().toString(), null, "xxh128", null));
    loose.close();
    ShoalNode strict = swarm.start(before.toBuilder().requireSha256(true).build());
    ShoalNode peer = swarm.join("peer", strict);
    NodeClusterTest.awaitMembers(List.of(strict, peer), 2);
    assertThatThrownBy(() -> peer.fetch(SnapshotRef.parse("old"), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no member of the swarm announces old");

    ChunkId root = ChunkId.parse(old.root());
    List<Object> replies = new java.util.concurrent.CopyOnWriteArrayList<>();
    PeerTransport asker = swarm.rogue(swarm.credentials("asker"), replies::add);
    asker.send(strict.peerAddress(), new TransferMessage.HaveQuery(root));
    asker.send(strict.peerAddress(), new TransferMessage.ChunkRequest(77, root, 0));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(replies)
                    .contains(
                        new TransferMessage.HaveReply(root, false, ChunkBitmap.empty()),
                        new TransferMessage.ChunkRefused(
                            77, TransferMessage.ChunkRefused.Reason.NOT_FOUND)));
    assertThat(replies).noneMatch(m -> m instanceof io.shoal.node.net.ChunkFrame);
  }

  @Test
  @DisplayName(
      "a version stays checkable after its publisher left: a node joining later through a"
          + " follower verifies and fetches it")
  void publisherGone_followerStillVouchesForItsVersion() throws Exception {
    ShoalNode publisher = swarm.start(swarm.config("publisher"));
    ShoalNode follower =
        swarm.start(
            swarm
                .config("follower")
                .withSeeds(List.of(publisher.peerAddress()))
                .withFollow(List.of("*")));
    NodeClusterTest.awaitMembers(List.of(publisher, follower), 2);
    publisher.publish(
        new PublishCall("orders", data("orders", 8).toAbsolutePath().toString(), null, null, null));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> follower.store().catalog().latestComplete("orders").isPresent());
    CatalogEntry held = follower.store().catalog().latestComplete("orders").orElseThrow();
    assertThat(held.provenance().isSigned()).isTrue();
    assertThat(held.provenance().publisher()).isEqualTo(publisher.id().toHex());
    assertThat(held.provenance().credential()).isNotEmpty();

    publisher.close();
    // Past the publisher's dead retention, only the follower's map carries its credential.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                follower.status().members().stream()
                    .noneMatch(m -> m.id().equals(publisher.id().toHex())));
    ShoalNode late = swarm.join("late", follower);
    var fetched = late.fetch(SnapshotRef.parse("orders"), Duration.ofSeconds(20));
    assertThat(fetched.entry().root()).isEqualTo(held.root());
    assertThat(late.store().catalog().latestComplete("orders")).isPresent();
  }
}
