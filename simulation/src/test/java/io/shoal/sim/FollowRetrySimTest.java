package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The follow rule's retries as the simulator drives them: a node cut off from every holder while it
 * fetches the one version ever published gives that fetch up, and still converges once the
 * partition heals, with no newer version to fetch.
 */
class FollowRetrySimTest {
  @Test
  void aNodeIsolatedPastTheStallTimeoutDuringItsFetch_convergesAfterTheHeal() throws IOException {
    Map<String, Object> cut = Map.of("atSeconds", 6.0, "healSeconds", 200.0, "isolate", 3);
    Scenario s =
        Scenarios.resolve(
            "swarm-join",
            Map.of(
                "nodes",
                4,
                "seed",
                3,
                "seeders",
                1,
                "snapshotMib",
                64,
                "seederUploadMBps",
                4.0,
                "joinSpreadSeconds",
                1.0,
                "follow",
                true,
                "partitions",
                List.of(cut),
                "limitSeconds",
                600.0));
    SimResult r = new Simulation(s).run(null);
    assertThat(r.violations()).isEmpty();
    assertThat(r.converged()).as("converged; replay: %s", r.replay()).isTrue();
  }
}
