package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloadLimitTest {
  static final int SNAPSHOT_BYTES = 24 << 20;

  /** The limited fetcher's {@code --download-limit}. */
  static final long LIMIT_BYTES_PER_SECOND = 4L << 20;

  /**
   * The limited fetch takes at least this long: the snapshot less the bucket's burst, at the limit
   * (about 5.75 s), rounded down for the timer's granularity.
   */
  static final double LIMITED_MIN_SECONDS = 5.0;

  static final Duration ANNOUNCEMENT_WAIT = Duration.ofSeconds(30);

  @TempDir Path tmp;
  private TestSwarm swarm;

  @AfterEach
  void stopAll() {
    swarm.close();
  }

  @Test
  @DisplayName(
      "a 24 MiB fetch with a 4 MiB/s download limit takes over 5 s; one without is much faster")
  void downloadLimit_slowsTheFetchToTheLimit() throws Exception {
    swarm = new TestSwarm(tmp);
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 7, SNAPSHOT_BYTES);
    // Plaintext: with TLS the unlimited fetch would be CPU-bound on a busy 2-core machine.
    ShoalNode seeder = swarm.start(swarm.insecureConfig("seeder"));
    seeder.publish(new PublishCall("data", source.toString(), null, null, null));
    ShoalNode free =
        swarm.start(swarm.insecureConfig("free").withSeeds(List.of(seeder.peerAddress())));
    ShoalNode limited =
        swarm.start(
            swarm
                .insecureConfig("limited")
                .withSeeds(List.of(seeder.peerAddress()))
                .withDownloadLimit(LIMIT_BYTES_PER_SECOND));
    TestSwarm.awaitHolders(free, 1);
    TestSwarm.awaitHolders(limited, 1);

    double limitedSeconds = timedFetch(limited);
    double freeSeconds = timedFetch(free); // second: it runs on warmed-up code

    assertThat(limitedSeconds)
        .as("seconds of the limited fetch")
        .isGreaterThan(LIMITED_MIN_SECONDS);
    assertThat(freeSeconds).as("seconds of the unlimited fetch").isLessThan(limitedSeconds / 2);
    String scrape = MetricsExportTest.httpScrape(limited);
    assertThat(MetricsExportTest.value(scrape, "shoal_transfer_download_limit_bytes_per_second"))
        .isEqualTo(LIMIT_BYTES_PER_SECOND);
    assertThat(
            MetricsExportTest.value(
                MetricsExportTest.httpScrape(free),
                "shoal_transfer_download_limit_bytes_per_second"))
        .isZero();
  }

  private static double timedFetch(ShoalNode node) throws Exception {
    long start = System.nanoTime();
    ShoalNode.Fetched got = node.fetch(SnapshotRef.parse("data"), ANNOUNCEMENT_WAIT);
    assertThat(got.result()).isNotNull();
    assertThat(got.result().fetchedBytes()).isGreaterThanOrEqualTo(SNAPSHOT_BYTES);
    return (System.nanoTime() - start) / 1e9;
  }
}
