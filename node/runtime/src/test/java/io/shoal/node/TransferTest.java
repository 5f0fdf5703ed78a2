package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.node.api.GetCall;
import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransferTest {
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

  private ShoalNode start(NodeConfig config) throws Exception {
    return swarm.start(config);
  }

  private NodeConfig config(String name) {
    return swarm.config(name);
  }

  private List<ShoalNode> seeders(int count, Path source) throws Exception {
    return swarm.seeders(count, source);
  }

  @Test
  @DisplayName("a fresh node fetches a snapshot from 4 seeders, byte for byte")
  void freshNode_fetchesFromFourSeeders() throws Exception {
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 1, 24 << 20);
    List<ShoalNode> seeders = seeders(4, source);
    ShoalNode fresh = start(config("fresh").withSeeds(List.of(seeders.get(0).peerAddress())));
    TestSwarm.awaitHolders(fresh, 4);
    ShoalNode.Fetched got = fresh.fetch(SnapshotRef.parse("data"), Duration.ofSeconds(30));
    assertThat(got.result()).isNotNull();
    assertThat(got.result().peers()).isGreaterThanOrEqualTo(2);
    Path out = tmp.resolve("out.bin");
    fresh.materialize(new GetCall("data", out.toString(), false, false));
    assertThat(Files.mismatch(source, out)).isEqualTo(-1);
  }

  /** The fresh node's progress on {@code name}, 0 until its fetch starts. */
  static long done(ShoalNode n) {
    return n.transfers().stream().mapToLong(TransferView::doneBytes).sum();
  }

  @Test
  @DisplayName(
      "one of 3 seeders serves corrupted bytes: the copy is still exact and the bad seeder is banned")
  void corruptSeeder_isBanned_andTheCopyIsExact() throws Exception {
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 2, 16 << 20);
    ShoalNode first = start(config("s0"));
    ShoalNode good =
        start(config("s1").withSeeds(List.of(first.peerAddress())).withFollow(List.of("*")));
    first.publish(new PublishCall("data", source.toAbsolutePath().toString(), null, null, null));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> good.store().catalog().latestComplete("data").isPresent());
    ShoalNode liar =
        start(
            config("s2")
                .withSeeds(List.of(first.peerAddress()))
                .withFollow(List.of("*"))
                .withFaults(new Faults(true)));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> liar.store().catalog().latestComplete("data").isPresent());

    ShoalNode fresh = start(config("fresh").withSeeds(List.of(first.peerAddress())));
    // The fresh node must know that all three hold the snapshot, the liar included, before it
    // fetches: a fetch uses the holders gossip has shown it so far.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                fresh.status().winners().stream()
                    .anyMatch(w -> w.name().equals("data") && w.completeHolders().size() == 3));
    ShoalNode.Fetched got = fresh.fetch(SnapshotRef.parse("data"), Duration.ofSeconds(30));
    Path out = tmp.resolve("out.bin");
    fresh.materialize(new GetCall("data", out.toString(), false, false));
    assertThat(Files.mismatch(source, out)).isEqualTo(-1);
    assertThat(got.result().bannedPeers()).containsExactly(liar.id().toHex());
    assertThat(fresh.metrics().scrape()).contains("shoal_transfer_peers_banned_total 1.0");
  }

  @Test
  @DisplayName("a seeder killed mid-transfer costs only its in-flight requests")
  void seederKilledMidTransfer_theFetchCompletes() throws Exception {
    ShoalNode.Fetched got = fetchWhileASeederGoes(3, ShoalNode::kill);
    assertThat(got.result()).isNotNull();
  }

  @Test
  @DisplayName(
      "a seeder that leaves mid-transfer (gossip: member gone) has its requests re-issued to the"
          + " others")
  void seederLeavesMidTransfer_itsRequestsGoToTheOthers() throws Exception {
    ShoalNode.Fetched got = fetchWhileASeederGoes(5, ShoalNode::close);
    assertThat(got.result().bannedPeers()).isEmpty();
  }

  /**
   * A fresh node fetches 24 MiB from 3 seeders held to 6 MiB/s each; once 4 MiB are in, {@code
   * leave} takes the second seeder away. The fetch must still complete with the source's bytes.
   */
  private ShoalNode.Fetched fetchWhileASeederGoes(long seed, Consumer<ShoalNode> leave)
      throws Exception {
    Path source = TestData.randomFile(tmp.resolve("big.bin"), seed, 24 << 20);
    List<ShoalNode> seeders = seeders(3, source);
    for (ShoalNode s : seeders) {
      s.setUploadLimit(6L << 20);
    }
    ShoalNode fresh = start(config("fresh").withSeeds(List.of(seeders.get(0).peerAddress())));
    var fetch =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return fresh.fetch(SnapshotRef.parse("data"), Duration.ofSeconds(30));
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    await().atMost(Duration.ofSeconds(30)).until(() -> done(fresh) > (4L << 20));
    leave.accept(seeders.get(1));
    ShoalNode.Fetched got = fetch.get(60, java.util.concurrent.TimeUnit.SECONDS);
    Path out = tmp.resolve("out.bin");
    fresh.materialize(new GetCall("data", out.toString(), false, false));
    assertThat(Files.mismatch(source, out)).isEqualTo(-1);
    return got;
  }

  @Test
  @DisplayName("the fetching node killed mid-transfer resumes without refetching a verified chunk")
  void fetcherKilledMidTransfer_resumesWithoutRefetching() throws Exception {
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 4, 24 << 20);
    List<ShoalNode> seeders = seeders(2, source);
    for (ShoalNode s : seeders) {
      s.setUploadLimit(6L << 20);
    }
    NodeConfig freshConfig = config("fresh").withSeeds(List.of(seeders.get(0).peerAddress()));
    ShoalNode fresh = start(freshConfig);
    java.util.concurrent.CompletableFuture.runAsync(
        () -> {
          try {
            fresh.fetch(SnapshotRef.parse("data"), Duration.ofSeconds(30));
          } catch (java.io.IOException | RuntimeException e) {
            // The node is killed under it.
          }
        });
    await().atMost(Duration.ofSeconds(30)).until(() -> done(fresh) > (10L << 20));
    fresh.kill();

    ShoalNode again = start(freshConfig);
    var entry = again.store().catalog().latest("data").orElseThrow();
    assertThat(entry.complete()).isFalse();
    SnapshotPlanner.Plan before =
        SnapshotPlanner.plan(
            new io.shoal.chunkstore.snapshot.SnapshotReader(again.store()), entry.root());
    int held = before.have().cardinality();
    assertThat(held).as("chunks durable before the kill").isPositive();
    ShoalNode.Fetched got = again.fetch(SnapshotRef.parse("data"), Duration.ofSeconds(30));
    assertThat(got.result().chunksFetched()).isEqualTo(before.missingData().size());
    assertThat(held + got.result().chunksFetched()).isEqualTo(before.totalLeaves());
    Path out = tmp.resolve("out.bin");
    again.materialize(new GetCall("data", out.toString(), false, false));
    assertThat(Files.mismatch(source, out)).isEqualTo(-1);
  }

  @Test
  @DisplayName(
      "1 seeder and 8 fresh leechers: leechers upload to each other, the seeder sends fewer than 8 copies")
  void oneSeederEightLeechers_leechersTrade() throws Exception {
    int size = 16 << 20;
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 5, size);
    ShoalNode seed = start(config("seed").withUploadLimit(24L << 20));
    seed.publish(new PublishCall("data", source.toAbsolutePath().toString(), null, null, null));
    List<ShoalNode> leechers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      leechers.add(start(config("l" + i).withSeeds(List.of(seed.peerAddress()))));
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> leechers.stream().allMatch(l -> l.status().members().size() == 9));
    List<java.util.concurrent.CompletableFuture<ShoalNode.Fetched>> fetches = new ArrayList<>();
    for (ShoalNode l : leechers) {
      fetches.add(
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return l.fetch(SnapshotRef.parse("data"), Duration.ofSeconds(30));
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              }));
    }
    for (var f : fetches) {
      f.get(120, java.util.concurrent.TimeUnit.SECONDS);
    }
    for (int i = 0; i < 8; i++) {
      Path out = tmp.resolve("out" + i + ".bin");
      leechers.get(i).materialize(new GetCall("data", out.toString(), false, false));
      assertThat(Files.mismatch(source, out)).isEqualTo(-1);
    }
    double seederSent = seed.metrics().chunkSentBytes();
    double leechersSent = leechers.stream().mapToDouble(l -> l.metrics().chunkSentBytes()).sum();
    assertThat(seederSent).as("bytes the seeder uploaded").isLessThan(8.0 * size);
    assertThat(leechersSent).as("bytes leechers uploaded to each other").isGreaterThan(size);
  }

  @Test
  @DisplayName("version N to N+1 with a 1% change moves about 1% of the bytes")
  void nextVersion_movesOnlyTheDelta() throws Exception {
    int size = 32 << 20;
    byte[] v1 = TestData.randomBytes(6, size);
    Path file = TestData.file(tmp.resolve("data.bin"), v1);
    ShoalNode publisher = start(config("p"));
    publisher.publish(new PublishCall("data", file.toAbsolutePath().toString(), null, null, null));
    ShoalNode follower = start(config("f").withSeeds(List.of(publisher.peerAddress())));
    follower.fetch(SnapshotRef.parse("data"), Duration.ofSeconds(30));
    byte[] v2 = v1.clone();
    java.util.SplittableRandom r = new java.util.SplittableRandom(7);
    for (int k = 0; k < 4; k++) {
      int at = r.nextInt(size - size / 400);
      byte[] noise = TestData.randomBytes(100 + k, size / 400);
      System.arraycopy(noise, 0, v2, at, noise.length);
    }
    TestData.file(file, v2);
    publisher.publish(new PublishCall("data", file.toAbsolutePath().toString(), null, null, null));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> follower.status().winners().stream().anyMatch(w -> w.version() == 2));
    ShoalNode.Fetched got = follower.fetch(SnapshotRef.parse("data@2"), Duration.ofSeconds(30));
    assertThat(got.entry().version()).isEqualTo(2);
    // 1% changed in 4 places: each dirties its chunks and perhaps a neighbour's.
    assertThat(got.result().fetchedBytes()).isBetween((long) size / 100, (long) size * 4 / 100);
  }
}
