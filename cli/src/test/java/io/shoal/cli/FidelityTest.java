package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.sim.Scenario;
import io.shoal.sim.Scenarios;
import io.shoal.sim.SimResult;
import io.shoal.sim.Simulation;
import io.shoal.testing.TestData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator's promise checked against real nodes: one scenario, 1 seeder and 8 following
 * leechers of a 64 MiB snapshot with the same upload limit on every node, played by the simulator
 * and by real nodes on loopback. The seeder's uploaded copies and the time until all complete must
 * agree within {@link #COPIES_TOLERANCE} and {@link #TIME_TOLERANCE}: a change the simulator likes
 * must not be one the real swarm dislikes.
 *
 * <p>The upload limit makes the links, not the 2-core machine, the bottleneck of the real run, as
 * the simulator assumes: 9 nodes at {@link #UPLOAD_MBPS} MB/s move the 537 MB in about 7 s, well
 * within what loopback and the machine carry.
 *
 * <p>The real swarm varies from run to run far more than the tolerance (the seeder's copies ranged
 * from 1.8 to 3.4 over a dozen runs of the same build), so one real run against the simulator's one
 * deterministic figure decides nothing: the test plays the real swarm {@link #rounds()} times and
 * compares the medians. At about 20 s a round it does not fit the CI suite's minute; it is tagged
 * {@code fidelity} and run by {@code bench/fidelity.sh}, whose figures go into the notes of changes
 * to the transfer.
 */
@Tag("fidelity")
class FidelityTest {
  static final int LEECHERS = 8;
  static final int SNAPSHOT_MIB = 64;
  static final double UPLOAD_MBPS = 10;

  /** Relative difference allowed in the seeder's uploaded copies. */
  static final double COPIES_TOLERANCE = 0.25;

  /** Relative difference allowed in the time until every leecher completes. */
  static final double TIME_TOLERANCE = 0.30;

  @TempDir Path tmp;

  /** Real rounds to play: {@code -Dshoal.fidelity.rounds=N}, 5 unless told. */
  static int rounds() {
    return Integer.getInteger("shoal.fidelity.rounds", 5);
  }

  /** What one run measured. */
  record Run(double seederCopies, double completionSeconds) {}

  @Test
  @DisplayName(
      "1 seeder and 8 leechers of 64 MiB at 10 MB/s upload each: the simulator and real nodes"
          + " agree on the seeder's uploaded copies (25%) and the time to complete (30%)")
  void simulatedSwarm_matchesRealNodes() throws Exception {
    Run simulated = simulate();
    List<Run> runs = new ArrayList<>();
    for (int i = 1; i <= rounds(); i++) {
      Run r = realNodes(tmp.resolve("round" + i));
      runs.add(r);
      System.out.printf(
          "fidelity round %d: real %.2f copies in %.2f s%n",
          i, r.seederCopies(), r.completionSeconds());
    }
    Run real =
        new Run(
            median(runs.stream().mapToDouble(Run::seederCopies).toArray()),
            median(runs.stream().mapToDouble(Run::completionSeconds).toArray()));
    System.out.printf(
        "fidelity: simulated %.2f copies in %.2f s, real median of %d: %.2f copies in %.2f s%n",
        simulated.seederCopies(),
        simulated.completionSeconds(),
        runs.size(),
        real.seederCopies(),
        real.completionSeconds());
    assertThat(relativeDifference(real.seederCopies(), simulated.seederCopies()))
        .as(
            "seeder copies: real %.2f, simulated %.2f",
            real.seederCopies(), simulated.seederCopies())
        .isLessThanOrEqualTo(COPIES_TOLERANCE);
    assertThat(relativeDifference(real.completionSeconds(), simulated.completionSeconds()))
        .as(
            "completion: real %.2f s, simulated %.2f s",
            real.completionSeconds(), simulated.completionSeconds())
        .isLessThanOrEqualTo(TIME_TOLERANCE);
  }

  static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  static double relativeDifference(double real, double simulated) {
    return Math.abs(real - simulated) / simulated;
  }

  private Run simulate() throws Exception {
    Scenario s =
        Scenarios.resolve(
            "swarm-join",
            Map.ofEntries(
                Map.entry("nodes", LEECHERS + 1),
                Map.entry("seeders", 1),
                Map.entry("seed", 1),
                Map.entry("snapshotMib", SNAPSHOT_MIB),
                Map.entry("chunkKib", 64),
                Map.entry(
                    "capacities",
                    List.of(Map.of("weight", 1, "uploadMBps", UPLOAD_MBPS, "downloadMBps", 1000))),
                Map.entry("seederUploadMBps", UPLOAD_MBPS),
                Map.entry("latencyMinMs", 0.05),
                Map.entry("latencyMaxMs", 0.1),
                Map.entry("follow", true),
                Map.entry("limitSeconds", 120)));
    SimResult r = new Simulation(s).run(null);
    assertThat(r.ok()).as("the simulated swarm converged: %s", r.violations()).isTrue();
    long seederBytes =
        r.uploads().stream()
            .filter(SimResult.Upload::seeder)
            .mapToLong(SimResult.Upload::bytes)
            .sum();
    return new Run(seederBytes / (SNAPSHOT_MIB * 1048576.0), r.completion().max());
  }

  private Run realNodes(Path dir) throws Exception {
    Path source = TestData.randomFile(dir.resolve("snapshot.bin"), 42, SNAPSHOT_MIB * 1048576L);
    long limit = (long) (UPLOAD_MBPS * 1e6);
    List<ShoalNode> nodes = new ArrayList<>();
    try {
      ShoalNode seeder =
          ShoalNode.start(NodeConfig.loopback(dir.resolve("seeder")).withUploadLimit(limit));
      nodes.add(seeder);
      for (int i = 0; i < LEECHERS; i++) {
        nodes.add(
            ShoalNode.start(
                NodeConfig.loopback(dir.resolve("leecher" + i))
                    .withSeeds(List.of(seeder.peerAddress()))
                    .withFollow(List.of("*"))
                    .withUploadLimit(limit)));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  nodes.stream()
                      .allMatch(
                          n ->
                              n.status().members().stream()
                                      .filter(m -> m.state().equals("alive"))
                                      .count()
                                  == LEECHERS + 1));
      long sentBefore = sentBytes(seeder);
      seeder.publish(
          new io.shoal.node.api.PublishCall(
              "data", source.toAbsolutePath().toString(), null, null, null));
      long start = System.nanoTime();
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () ->
                  nodes.stream()
                      .allMatch(n -> n.store().catalog().latestComplete("data").isPresent()));
      double seconds = (System.nanoTime() - start) / 1e9;
      double copies = (sentBytes(seeder) - sentBefore) / (SNAPSHOT_MIB * 1048576.0);
      return new Run(copies, seconds);
    } finally {
      nodes.forEach(ShoalNode::kill);
    }
  }

  private static long sentBytes(ShoalNode n) {
    Matcher m =
        Pattern.compile("shoal_transfer_sent_bytes_total ([0-9.E+]+)")
            .matcher(n.metrics().scrape());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }
}
