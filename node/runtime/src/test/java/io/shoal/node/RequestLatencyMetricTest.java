package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.testing.TestData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestLatencyMetricTest {
  @TempDir Path tmp;
  private TestSwarm swarm;

  @AfterEach
  void stopAll() {
    if (swarm != null) {
      swarm.close();
    }
  }

  @Test
  @DisplayName(
      "a fetch observes one request latency per chunk reply in shoal_transfer_request_seconds")
  void fetch_observesEveryChunkReply_inTheRequestHistogram() throws Exception {
    swarm = new TestSwarm(tmp);
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 7, 4 << 20);
    ShoalNode seeder = swarm.seeders(1, source).get(0);
    ShoalNode fresh = swarm.start(swarm.config("fresh").withSeeds(List.of(seeder.peerAddress())));
    TestSwarm.awaitHolders(fresh, 1);

    fresh.fetch(SnapshotRef.parse("data"), Duration.ofSeconds(30));

    String scrape = fresh.metrics().scrape();
    long served = (long) value(seeder.metrics().scrape(), "shoal_transfer_chunks_served_total");
    assertThat(served).isPositive();
    assertThat((long) value(scrape, "shoal_transfer_request_seconds_count")).isEqualTo(served);
    assertThat(value(scrape, "shoal_transfer_request_seconds_sum")).isPositive();
    assertThat(scrape).contains("shoal_transfer_request_seconds_bucket{le=\"0.001\"}");
  }

  private static double value(String scrape, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(scrape);
    assertThat(m.find()).as(name + " in\n" + scrape).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
