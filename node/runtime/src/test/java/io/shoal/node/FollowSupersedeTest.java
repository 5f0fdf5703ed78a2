package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower that hears of a newer version while it fetches the older one moves the shared chunks
 * once: the older fetch stops and the newer one fetches the rest. Two fetches of neighbouring
 * versions that ran side by side each requested every chunk (about twice the bytes).
 */
class FollowSupersedeTest {
  static final int BYTES = 24 << 20;
  static final long SEEDER_UPLOAD_BYTES_PER_SECOND = 6L << 20;

  /** Bytes received over the snapshot's size: in-flight requests of the stopped fetch, gossip. */
  static final double MAX_RECEIVED_RATIO = 1.4;

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
  @DisplayName("a newer version announced during a follow's fetch: shared chunks move once")
  void aNewerVersionDuringTheFollowsFetch_stopsIt_andTheSharedChunksMoveOnce() throws Exception {
    Path source = TestData.randomFile(tmp.resolve("data.bin"), 9, BYTES);
    ShoalNode seeder = swarm.start(swarm.config("seeder"));
    seeder.publish(new PublishCall("data", source.toString(), null, null, null));
    seeder.setUploadLimit(SEEDER_UPLOAD_BYTES_PER_SECOND); // the fetch lasts about 4 s
    ShoalNode follower =
        swarm.start(
            swarm
                .config("follower")
                .withSeeds(List.of(seeder.peerAddress()))
                .withFollow(List.of("data")));
    await().atMost(Duration.ofSeconds(30)).until(() -> TransferTest.done(follower) > BYTES / 8);

    try (RandomAccessFile f = new RandomAccessFile(source.toFile(), "rw")) {
      f.seek(BYTES / 2);
      f.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    }
    seeder.publish(new PublishCall("data", source.toString(), null, null, null));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                follower
                        .store()
                        .catalog()
                        .latestComplete("data")
                        .map(CatalogEntry::version)
                        .orElse(0L)
                    == 2);

    double received =
        ViewClusterTest.counter(follower, "shoal_peer_received_bytes_total")
            + ViewClusterTest.counter(follower, "shoal_transfer_received_bytes_total");
    System.out.printf("received %.0f bytes for a snapshot of %d bytes%n", received, BYTES);
    assertThat(ViewClusterTest.counter(follower, "shoal_fetches_stopped_total")).isEqualTo(1);
    assertThat(follower.store().catalog().get("data", 1).filter(CatalogEntry::complete))
        .as("the stopped version is not recorded complete")
        .isEmpty();
    assertThat(received).isLessThan(MAX_RECEIVED_RATIO * BYTES);
  }
}
