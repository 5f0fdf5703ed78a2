package io.shoal.cli;

import io.shoal.sim.Report;
import io.shoal.sim.Scenario;
import io.shoal.sim.Scenarios;
import io.shoal.sim.SimResult;
import io.shoal.sim.Simulation;
import io.shoal.sim.ViewScenario;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Play a swarm in one process: thousands of nodes running the real gossip and transfer cores"
          + " over a simulated network with virtual time, partitions, crashes and joins. The same"
          + " seed gives the same run (its trace hash says so).",
      "",
      "Built-in scenarios: swarm-join, partition-heal, churn, recovery; or a JSON file naming a"
          + " \"kind\" and the fields it changes (see docs/simulation.md). membership-views plays"
          + " the partial-view core (HyParView and Plumtree) alone, at up to 10^5 nodes and more."
    })
final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOption output;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SCENARIO",
      defaultValue = "swarm-join",
      description = "a built-in scenario or a scenario file (default: ${DEFAULT-VALUE})")
  String scenario;

  @Option(names = "--nodes", paramLabel = "N", description = "nodes at the start")
  Integer nodes;

  @Option(names = "--seed", paramLabel = "S", description = "the run's seed (default: 1)")
  Long seed;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description = "write results.json and report.html (with charts) into DIR")
  Path report;

  @Option(
      names = "--set",
      paramLabel = "FIELD=VALUE",
      description =
          "change any scenario field, e.g. --set snapshotMib=1024 --set loss=0.05 (values are JSON)")
  List<String> sets = List.of();

  @Override
  @SuppressWarnings("SystemConsoleNull") // Java 17: null means no terminal, which is what we ask.
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, Object> overrides = overrides();
    if (scenario.equals(ViewScenario.KIND)) {
      return ViewsRun.run(ViewScenario.resolve(overrides), output.json, out, err);
    }
    Scenario s = Scenarios.resolve(scenario, overrides);
    boolean live = !LoggingOptions.isQuiet() && !output.json && System.console() != null;
    long start = System.nanoTime();
    SimResult r =
        new Simulation(s)
            .run(
                live
                    ? (t, complete, agree, events) -> {
                      double wall = (System.nanoTime() - start) / 1e9;
                      err.printf(
                          Locale.ROOT,
                          "\r  virtual %6.1f s  complete %5.1f%%  agree %5.1f%%  %,d events  wall %.1f s ",
                          t,
                          complete * 100,
                          agree * 100,
                          events,
                          wall);
                      err.flush();
                    }
                    : null);
    double wallSeconds = (System.nanoTime() - start) / 1e9;
    if (live) {
      err.println();
    }
    Report.RunStats stats = new Report.RunStats(wallSeconds, peakHeapBytes());
    Path html = report == null ? null : Report.write(r, stats, report);
    if (output.json) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("result", r);
      json.put("wallSeconds", wallSeconds);
      json.put("heapBytes", stats.heapBytes());
      OutputOption.printJson(out, json);
    } else {
      printSummary(out, r, stats, html);
    }
    if (!r.ok()) {
      err.println(
          "shoal: "
              + (r.violations().isEmpty()
                  ? "the swarm did not converge within the scenario's limits"
                  : "invariant violated: " + r.violations().get(0))
              + " (seed "
              + s.seed()
              + "); replay with: "
              + r.replay());
      return Main.EXIT_FAILURE;
    }
    return 0;
  }

  /** The --set, --nodes and --seed fields, by name. */
  private Map<String, Object> overrides() {
    Map<String, Object> overrides = new LinkedHashMap<>();
    for (String set : sets) {
      int eq = set.indexOf('=');
      if (eq <= 0) {
        throw new CliException("--set wants FIELD=VALUE, not '" + set + "'");
      }
      overrides.put(set.substring(0, eq), Scenarios.parseValue(set.substring(eq + 1)));
    }
    if (nodes != null) {
      overrides.put("nodes", nodes);
    }
    if (seed != null) {
      overrides.put("seed", seed);
    }
    return overrides;
  }

  private static void printSummary(PrintWriter out, SimResult r, Report.RunStats stats, Path html) {
    Scenario s = r.scenario();
    out.printf(
        Locale.ROOT,
        "%s: %,d nodes, seed %d: %s%n",
        s.name(),
        s.nodes(),
        s.seed(),
        r.converged()
            ? String.format(
                Locale.ROOT,
                "converged %.1f s (virtual) after the %s",
                r.convergenceSeconds(),
                r.referenceEvent())
            : "did NOT converge by " + String.format(Locale.ROOT, "%.1f s", r.virtualSeconds()));
    printTransfer(out, r);
    out.printf(
        Locale.ROOT,
        "  %,d events in %.1f s of wall time (%,.0f events/s), heap peak %s%n",
        r.events(),
        stats.wallSeconds(),
        r.events() / Math.max(1e-9, stats.wallSeconds()),
        Human.bytes(stats.heapBytes()));
    if (r.chunksRejected() > 0) {
      out.printf(
          Locale.ROOT,
          "  %,d chunks failed verification and were fetched again; %d bans%n",
          r.chunksRejected(),
          r.peersBanned());
    }
    SimResult.Traffic t = r.traffic();
    out.printf(
        Locale.ROOT,
        "  control messages per node per second: gossip %.1f (%s), transfer %.1f (%s)%n",
        t.gossipMessagesPerNodeSecond(),
        Human.bytes((long) t.gossipBytesPerNodeSecond()),
        t.transferMessagesPerNodeSecond(),
        Human.bytes((long) t.transferBytesPerNodeSecond()));
    out.printf(Locale.ROOT, "  trace hash %s%n", r.traceHash());
    for (String v : r.violations()) {
      out.println("  INVARIANT VIOLATED: " + v);
    }
    if (html != null) {
      out.println("  report: " + html);
    }
  }

  /** The transfer lines: completion percentiles, the bound, recovery and bytes moved. */
  private static void printTransfer(PrintWriter out, SimResult r) {
    SimResult.Percentiles p = r.completion();
    if (p.count() > 0) {
      out.printf(
          Locale.ROOT,
          "  transfer: %d of %d nodes complete; p50 %.2f s, p90 %.2f s, p99 %.2f s, p99.9 %.2f s,"
              + " max %.2f s%n",
          p.count(),
          p.expected(),
          p.p50(),
          p.p90(),
          p.p99(),
          p.p999(),
          p.max());
    }
    if (r.boundSeconds() > 0 && p.count() > 0) {
      out.printf(
          Locale.ROOT,
          "  Kumar-Ross bound %.2f s: the last node took %.2fx of it%n",
          r.boundSeconds(),
          r.boundRatio());
    }
    if (r.recoveryChangedBytes() > 0) {
      out.printf(
          Locale.ROOT,
          "  recovering node fetched %s for %s of changed chunks (%.2fx)%n",
          Human.bytes(r.recoveryFetchedBytes()),
          Human.bytes(r.recoveryChangedBytes()),
          r.recoveryFetchedBytes() / (double) r.recoveryChangedBytes());
    }
    out.printf(
        Locale.ROOT,
        "  bytes moved %s, wasted %s (%.1f%%)%n",
        Human.bytes(r.bytesMoved()),
        Human.bytes(r.bytesWasted()),
        r.bytesMoved() == 0 ? 0.0 : 100.0 * r.bytesWasted() / r.bytesMoved());
    if (!r.crossZoneBytes().isEmpty()) {
      out.printf(
          Locale.ROOT,
          "  zones %d (%s, links between zones at %.2fx): crossed %.2f copies per zone; by zone %s%n",
          r.crossZoneBytes().size(),
          r.scenario().zoneAware() ? "nodes told their zones" : "zone-blind",
          r.scenario().interZoneFactor(),
          r.crossZoneCopiesPerZone(),
          r.crossZoneBytes().stream().map(Human::bytes).toList());
    }
  }

  /** The peak heap in use since the JVM started (the run dominates it). */
  static long peakHeapBytes() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }
}
