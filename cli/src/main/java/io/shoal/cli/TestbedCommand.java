package io.shoal.cli;

import io.shoal.chunkstore.snapshot.Materializer;
import io.shoal.sim.Scenario;
import io.shoal.sim.Scenarios;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "testbed",
    mixinStandardHelpOptions = true,
    description = {
      "Run a scenario with real nodes: start N 'shoal node' processes on loopback in temporary"
          + " directories (TLS, a CA of their own, fault injection on), play a simulator scenario"
          + " file (partitions through each node's /admin/faults, crashes with SIGKILL and"
          + " restarts, publishes) or a random nemesis, wait for convergence and check the"
          + " simulator's invariants. Exits 1 when one fails.",
      "See docs/simulation.md (The testbed)."
    })
final class TestbedCommand implements Callable<Integer> {
  /** Most nodes one testbed runs: each is a JVM on this machine. */
  static final int MAX_NODES = 32;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "4", description = "nodes (2 to 32)")
  int nodeCount;

  @Option(
      names = "--scenario",
      paramLabel = "FILE",
      description = "a simulator scenario: a file or a built-in kind (partition-heal, churn, ...)")
  String scenario;

  @Option(
      names = "--nemesis",
      paramLabel = "SECONDS",
      description = "instead of a scenario: random partitions, SIGKILLs, SIGSTOPs and publishes")
  Double nemesisSeconds;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "the draws' seed")
  long seed;

  @Option(
      names = "--converge-timeout",
      paramLabel = "SECONDS",
      defaultValue = "180",
      description = "how long the nodes may take to converge after the last fault")
  int convergeTimeoutSeconds;

  @Option(
      names = "--gossip-speedup",
      paramLabel = "N",
      defaultValue = "5",
      description = "the nodes gossip N times faster than the defaults (default: ${DEFAULT-VALUE})")
  int gossipSpeedup;

  @Option(names = "--keep", description = "leave the nodes' directories and logs in place")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    if (nodeCount < 2 || nodeCount > MAX_NODES) {
      throw new CliException("--nodes must be 2 to " + MAX_NODES);
    }
    if ((scenario == null) == (nemesisSeconds == null)) {
      throw new CliException("give one of --scenario FILE and --nemesis SECONDS");
    }
    Scenario s = null;
    TestbedPlan plan;
    if (scenario != null) {
      try {
        s = Scenarios.resolve(scenario, Map.of("nodes", nodeCount, "seed", seed));
      } catch (java.io.IOException | IllegalArgumentException e) {
        throw new CliException(e.getMessage());
      }
      plan = TestbedPlan.of(s, nodeCount, seed);
    } else {
      if (nemesisSeconds <= 0 || nemesisSeconds > 24 * 3600) {
        throw new CliException("--nemesis must be 0 to 86400 seconds");
      }
      plan = TestbedPlan.nemesis(nodeCount, nemesisSeconds, seed);
    }
    PrintWriter out = spec.commandLine().getOut();
    Path dir = Files.createTempDirectory("shoal-testbed-");
    TestbedNodes nodes = new TestbedNodes(dir, nodeCount, gossipSpeedup);
    Thread cleanup = new Thread(() -> stop(nodes, dir), "shoal-testbed-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      out.printf(
          "shoal testbed: %d nodes on loopback in %s, seed %d, %d actions%n",
          nodeCount, dir, seed, plan.actions().size());
      out.flush();
      nodes.startAll();
      TestbedRun run = new TestbedRun(nodes, dir, out, s == null ? 0 : s.loss(), snapshotBytes(s));
      return run.play(plan, convergeTimeoutSeconds) ? 0 : Main.EXIT_FAILURE;
    } finally {
      stop(nodes, dir);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down, and the hook runs anyway.
      }
      out.println(keep ? "left the nodes' files in " + dir : "stopped the nodes, removed " + dir);
      out.flush();
    }
  }

  /**
   * What each publish writes: the scenario's size, within 64 KiB to 4 MiB (real nodes, one box).
   */
  static long snapshotBytes(Scenario s) {
    long bytes = s == null ? 1 << 20 : s.snapshotBytes();
    return Math.max(64 << 10, Math.min(4 << 20, bytes));
  }

  private void stop(TestbedNodes nodes, Path dir) {
    nodes.destroyAll();
    if (!keep) {
      Materializer.deleteTreeQuietly(dir);
    }
  }

  /** Counts of actions by kind, for the summary. */
  static Map<TestbedPlan.Kind, Integer> count(List<TestbedPlan.Action> done) {
    Map<TestbedPlan.Kind, Integer> m = new EnumMap<>(TestbedPlan.Kind.class);
    done.forEach(a -> m.merge(a.kind(), 1, Integer::sum));
    return m;
  }
}
