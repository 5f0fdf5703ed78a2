package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each built-in scenario converges at a small size, and every invariant holds after it. */
class ScenarioTest {
  static SimResult run(String kind, Map<String, Object> overrides) throws IOException {
    Scenario s = Scenarios.resolve(kind, overrides);
    SimResult r = new Simulation(s).run(null);
    System.out.printf(
        "%s nodes=%d seed=%d converged=%s in %.1f s (from %s) virtual=%.1f events=%d moved=%d wasted=%d p50=%.2f p99=%.2f max=%.2f bound=%.2f ratio=%.2f recovery=%d/%d hash=%s violations=%s%n",
        kind,
        s.nodes(),
        s.seed(),
        r.converged(),
        r.convergenceSeconds(),
        r.referenceEvent(),
        r.virtualSeconds(),
        r.events(),
        r.bytesMoved(),
        r.bytesWasted(),
        r.completion().p50(),
        r.completion().p99(),
        r.completion().max(),
        r.boundSeconds(),
        r.boundRatio(),
        r.recoveryFetchedBytes(),
        r.recoveryChangedBytes(),
        r.traceHash(),
        r.violations());
    return r;
  }

  /**
   * Real bytes through the real chunker, writer, verification and reader, with five nodes (of 16)
   * that serve corrupted chunks: every node reads back exactly what was published.
   */
  @ParameterizedTest
  @ValueSource(strings = {"churn", "recovery", "partition-heal"})
  void realPayload_everyNodeReadsBackWhatWasPublished_despiteCorruptPeers(String kind)
      throws IOException {
    SimResult r =
        run(
            kind,
            Map.of(
                "nodes", 16,
                "seed", 11,
                "snapshotMib", 4,
                "realPayload", true,
                "corruptNodes", 5,
                "follow", true));
    assertThat(r.violations()).isEmpty();
    assertThat(r.converged()).isTrue();
    assertThat(r.chunksRejected()).as("corrupt chunks were sent and refused").isPositive();
  }

  @ParameterizedTest
  @ValueSource(strings = {"swarm-join", "partition-heal", "churn", "recovery"})
  void builtInScenario_convergesWithEveryInvariantHolding(String kind) throws IOException {
    SimResult r = run(kind, Map.of("nodes", 30, "seed", 7));
    assertThat(r.violations()).isEmpty();
    assertThat(r.converged()).isTrue();
  }
}
