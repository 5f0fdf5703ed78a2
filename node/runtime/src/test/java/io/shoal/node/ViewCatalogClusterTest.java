package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.shoal.chunkstore.CatalogEntry;
import io.shoal.node.api.GetCall;
import io.shoal.node.api.PublishCall;
import io.shoal.node.core.membership.CatalogSyncPage;
import io.shoal.node.core.membership.CatalogSyncRequest;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerTransport;
import io.shoal.node.security.NodeCredentials;
import io.shoal.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real secured nodes on loopback in views mode carrying catalogs: a publication travels over
 * Plumtree, followers fetch it from the holders the view catalogs name, and a node that joins later
 * learns it from its neighbours' tables.
 */
class ViewCatalogClusterTest {
  static final Duration CONVERGE = Duration.ofSeconds(60);

  /** Two files of 2 MiB: several chunks each. */
  static final int FILE_BYTES = 2 << 20;

  @TempDir Path tmp;
  private TestSwarm swarm;
  private EventLoopGroup rogueLoops;
  private PeerTransport rogue;

  @BeforeEach
  void makeSwarm() {
    swarm = new TestSwarm(tmp);
  }

  @AfterEach
  void stop() {
    if (rogue != null) {
      rogue.close();
      rogueLoops.shutdownGracefully();
    }
    swarm.close();
  }

  private ShoalNode start(String name, ShoalNode seed) throws Exception {
    return start(name, seed, List.of("data"));
  }

  private ShoalNode start(String name, ShoalNode seed, List<String> follow) throws Exception {
    NodeConfig c =
        swarm
            .config(name)
            .withMembership(MembershipMode.views(ViewClusterTest.FAST))
            .withFollow(follow);
    return swarm.start(seed == null ? c : c.withSeeds(List.of(seed.peerAddress())));
  }

  private static void awaitHolding(List<ShoalNode> nodes, CatalogEntry published) {
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              for (ShoalNode n : nodes) {
                Optional<CatalogEntry> held = n.store().catalog().latestComplete("data");
                assertThat(held).as("data held complete at %s", n.id()).isPresent();
                assertThat(held.get().root()).isEqualTo(published.root());
              }
            });
  }

  @Test
  @DisplayName(
      "6 nodes in views mode through one seed, following a name: one publishes 4 MiB, every other"
          + " node fetches it complete, and a node joining later catches up through the sync")
  void publication_reachesEveryFollower_andALateJoinerCatchesUp() throws Exception {
    Path src = tmp.resolve("src");
    TestData.randomFile(src.resolve("a.bin"), 11, FILE_BYTES);
    TestData.randomFile(src.resolve("b.bin"), 12, FILE_BYTES);
    ShoalNode seed = start("c0", null);
    List<ShoalNode> all = new ArrayList<>(List.of(seed));
    for (int i = 1; i < 6; i++) {
      all.add(start("c" + i, seed));
    }
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> ViewClusterTest.assertSymmetricAndConnected(ViewClusterTest.links(all)));
    ShoalNode publisher = all.get(3);
    publisher.publish(new PublishCall("data", src.toString(), null, null, null));
    CatalogEntry published = publisher.store().catalog().latestComplete("data").orElseThrow();

    awaitHolding(all, published);

    ShoalNode late = start("late", seed);
    awaitHolding(List.of(late), published);
    Path out = tmp.resolve("out");
    late.materialize(new GetCall("data", out.toString(), false, false));
    assertThat(Files.mismatch(src.resolve("a.bin"), out.resolve("a.bin"))).isEqualTo(-1);
    assertThat(Files.mismatch(src.resolve("b.bin"), out.resolve("b.bin"))).isEqualTo(-1);
    assertThat(late.metrics().chunkReceivedBytes()).as("bytes the late node fetched").isPositive();
    assertThat(
            ViewClusterTest.counter(late, "shoal_views_catalog_refused_total{reason=\"forged\"}"))
        .isZero();
  }

  @Test
  @DisplayName(
      "in views mode a node that follows nothing gets a name it does not hold from the holders the"
          + " view catalogs name, and its next publication of that name is numbered past the"
          + " swarm's")
  void explicitGet_andNextVersion_readTheViewCatalogs() throws Exception {
    Path src = tmp.resolve("src");
    TestData.randomFile(src.resolve("a.bin"), 14, FILE_BYTES);
    ShoalNode seed = start("c0", null);
    List<ShoalNode> all = new ArrayList<>(List.of(seed));
    for (int i = 1; i < 4; i++) {
      all.add(start("c" + i, seed));
    }
    ShoalNode reader = start("reader", seed, List.of());
    all.add(reader);
    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> ViewClusterTest.assertSymmetricAndConnected(ViewClusterTest.links(all)));
    ShoalNode publisher = all.get(2);
    publisher.publish(new PublishCall("data", src.toString(), null, null, null));
    CatalogEntry published = publisher.store().catalog().latestComplete("data").orElseThrow();
    awaitHolding(all.subList(0, 4), published);
    assertThat(reader.store().catalog().versions("data")).as("it follows nothing").isEmpty();

    Path out = tmp.resolve("out");
    reader.materialize(new GetCall("data", out.toString(), false, false));

    assertThat(Files.mismatch(src.resolve("a.bin"), out.resolve("a.bin"))).isEqualTo(-1);
    assertThat(reader.metrics().chunkReceivedBytes()).as("fetched from the swarm").isPositive();
    Path next = tmp.resolve("next");
    TestData.randomFile(next.resolve("a.bin"), 15, 1 << 16);
    ShoalNode fresh = start("fresh", seed, List.of());
    await() // its status shows the swarm's catalogs, as the views carry them
        .atMost(CONVERGE)
        .untilAsserted(
            () ->
                assertThat(fresh.status().winners())
                    .anySatisfy(
                        w -> {
                          assertThat(w.name()).isEqualTo("data");
                          assertThat(w.version()).isEqualTo(1);
                          assertThat(w.completeHolders()).contains(publisher.id().toHex());
                        }));
    assertThat(fresh.status().catalogs())
        .anySatisfy(c -> assertThat(c.owner()).isEqualTo(publisher.id().toHex()));
    fresh.publish(new PublishCall("data", next.toString(), null, null, null));
    assertThat(fresh.store().catalog().latest("data").orElseThrow().version())
        .as("numbered past the swarm's version 1, which it does not hold")
        .isEqualTo(2);
  }

  @Test
  @DisplayName(
      "in views mode a node that stops cleanly broadcasts its signed leave: every other node drops"
          + " its catalog and stops listing it as a holder")
  void cleanStop_dropsTheNodesCatalogEverywhere() throws Exception {
    Path src = tmp.resolve("src");
    TestData.randomFile(src.resolve("a.bin"), 17, 1 << 16);
    ShoalNode seed = start("c0", null);
    List<ShoalNode> all = new ArrayList<>(List.of(seed));
    for (int i = 1; i < 4; i++) {
      all.add(start("c" + i, seed));
    }
    all.get(1).publish(new PublishCall("data", src.toString(), null, null, null));
    awaitHolding(all, all.get(1).store().catalog().latestComplete("data").orElseThrow());
    ShoalNode leaver = all.remove(3);
    String gone = leaver.id().toHex();
    for (ShoalNode n : all) {
      TestSwarm.awaitHolders(n, 4);
    }

    leaver.close();

    await()
        .atMost(CONVERGE)
        .untilAsserted(
            () -> {
              for (ShoalNode n : all) {
                assertThat(n.status().catalogs())
                    .as("catalogs at %s", n.id())
                    .noneSatisfy(c -> assertThat(c.owner()).isEqualTo(gone));
                assertThat(n.status().winners())
                    .allSatisfy(w -> assertThat(w.completeHolders()).doesNotContain(gone));
              }
            });
  }

  @Test
  @DisplayName(
      "a member asks a views node for its catalog table and gets a page; a page of garbage it"
          + " sends is refused and counted, and the node goes on")
  void syncRequest_isAnswered_andAGarbagePage_isCountedMalformed() throws Exception {
    ShoalNode victim = start("victim", null);
    Path src = tmp.resolve("src");
    TestData.randomFile(src.resolve("a.bin"), 13, 1 << 16);
    victim.publish(new PublishCall("data", src.toString(), null, null, null));
    NodeCredentials rc = swarm.credentials("rogue");
    rogueLoops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    BlockingQueue<CatalogSyncPage> pages = new LinkedBlockingQueue<>();
    rogue =
        new PeerTransport(
            rc.clusterId(),
            rc.nodeId(),
            rc,
            rogueLoops,
            new NodeMetrics(),
            (from, fromAddress, link, message) -> {
              if (message instanceof CatalogSyncPage p) {
                pages.add(p);
              }
            });
    rogue.bind("127.0.0.1", 0, null);
    rogue.send(victim.peerAddress(), CatalogSyncRequest.start());
    await().atMost(CONVERGE).until(() -> !pages.isEmpty());
    CatalogSyncPage page = pages.poll();
    assertThat(page.payloads()).as("the victim's credential and announcement").isNotEmpty();
    assertThat(page.isLast()).isTrue();

    rogue.send(
        victim.peerAddress(), new CatalogSyncPage(List.of(new byte[] {1, 2, 3}), new byte[0]));
    await()
        .atMost(CONVERGE)
        .until(
            () ->
                ViewClusterTest.counter(
                        victim, "shoal_views_catalog_refused_total{reason=\"malformed\"}")
                    == 1);
    rogue.send(victim.peerAddress(), CatalogSyncRequest.start());
    await().atMost(CONVERGE).until(() -> !pages.isEmpty());
  }
}
