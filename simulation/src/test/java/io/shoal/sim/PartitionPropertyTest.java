package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A property over 100 seeds: whatever random partitions strike (groups, one-way cuts, single
 * isolated nodes, each with a publish on every side), every run converges after the last heal with
 * every invariant holding. Small swarms, so all 100 runs fit in CI.
 */
class PartitionPropertyTest {
  @Test
  void everyRandomPartitionSchedule_convergesAfterTheLastHeal() throws IOException {
    for (long seed = 1; seed <= 100; seed++) {
      Scenario s =
          Scenarios.resolve(
              "partition-heal",
              Map.of(
                  "nodes",
                  6 + (int) (seed % 7),
                  "seed",
                  seed,
                  "partitions",
                  List.of(),
                  "randomPartitions",
                  1 + (int) (seed % 3),
                  "minStableSeconds",
                  5,
                  "loss",
                  0.02,
                  "limitSeconds",
                  1500));
      SimResult r = new Simulation(s).run(null);
      assertThat(r.ok())
          .as(
              "seed %d: converged=%s violations=%s; replay: %s",
              seed, r.converged(), r.violations(), r.replay())
          .isTrue();
    }
  }
}
