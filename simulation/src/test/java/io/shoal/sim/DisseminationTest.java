package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.gossip.GossipConfig;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Epidemic dissemination at N = 1,000 with the production gossip settings: a catalog entry
 * published once membership has settled reaches every node within a small multiple of log3 N + ln N
 * gossip rounds (one round: one gossip interval).
 */
class DisseminationTest {
  @Test
  void catalogEntry_reachesAllOf1000_withinASmallMultipleOfLogRounds() throws IOException {
    int n = 1000;
    Scenario s =
        Scenarios.resolve(
            "swarm-join",
            Map.of(
                "nodes", n,
                "seed", 3,
                "snapshotMib", 0,
                "follow", false,
                "publishAtSeconds", 60,
                "limitSeconds", 300));
    SimResult r = new Simulation(s).run(null);

    double roundSeconds = GossipConfig.defaults().gossipIntervalNanos() / 1e9;
    double rounds = r.disseminationSeconds() / roundSeconds;
    double logRounds = Math.log(n) / Math.log(3) + Math.log(n);
    System.out.printf(
        "N=%d: catalog entry reached all in %.2f s = %.1f rounds; log3 N + ln N = %.1f%n",
        n, r.disseminationSeconds(), rounds, logRounds);
    assertThat(r.ok()).as("%s", r.violations()).isTrue();
    assertThat(r.disseminationSeconds()).isPositive();
    assertThat(rounds).isLessThanOrEqualTo(3 * logRounds);
  }
}
