package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that serves a peer leaves its store's pack rewrites for later: a collection during the
 * serving reclaims no pack space, the first after it does.
 */
class ServingCompactionTest {
  static final long PACK_BYTES = 24L << 20;
  static final int FETCH_BYTES = 12 << 20;
  static final long SEEDER_UPLOAD_BYTES_PER_SECOND = 2L << 20;

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
  @DisplayName("a collection while the node serves a fetch leaves the pack copy to the next one")
  void collectionWhileServing_defersThePackRewrite_untilTheServingEnds() throws Exception {
    NodeConfig seederConfig = swarm.config("seeder");
    Set<ChunkId> garbage =
        LoopLatencyTest.fillPack(seederConfig.dataDir(), seederConfig.store(), PACK_BYTES);
    ShoalNode seeder = swarm.start(seederConfig);
    Path source = TestData.randomFile(tmp.resolve("data.bin"), 5, FETCH_BYTES);
    seeder.publish(new PublishCall("data", source.toString(), null, null, null));
    seeder.setUploadLimit(SEEDER_UPLOAD_BYTES_PER_SECOND); // the fetch lasts about 6 s
    ShoalNode fetcher =
        swarm.start(swarm.config("fetcher").withSeeds(List.of(seeder.peerAddress())));
    TestSwarm.awaitHolders(fetcher, 1);
    CompletableFuture<ShoalNode.Fetched> fetch =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return fetcher.fetch(SnapshotRef.parse("data"), Duration.ofSeconds(60));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    await().atMost(Duration.ofSeconds(30)).until(() -> TransferTest.done(fetcher) > 1 << 20);

    long before = seeder.store().stats().fileBytes();
    long reclaimed = seeder.store().retainOnly(id -> !garbage.contains(id));
    long during = seeder.store().stats().fileBytes();
    assertThat(fetch).as("the fetch still runs after the collection").isNotDone();
    assertThat(reclaimed).as("payload bytes dropped").isGreaterThan(PACK_BYTES / 5);
    assertThat(garbage).noneMatch(seeder.store()::contains);
    assertThat(during).as("file bytes while serving").isEqualTo(before);

    assertThat(fetch.get(60, TimeUnit.SECONDS).result()).isNotNull();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              seeder.store().retainOnly(id -> !garbage.contains(id));
              return seeder.store().stats().fileBytes() < before - PACK_BYTES / 5;
            });
    assertThat(garbage).noneMatch(seeder.store()::contains);
  }
}
