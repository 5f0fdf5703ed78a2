package io.shoal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.shoal.node.api.PublishCall;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Plays a {@link TestbedPlan} on running {@link TestbedNodes} in wall-clock time, then waits for
 * convergence and checks the invariants ({@link TestbedCheck}); prints one line per action and a
 * summary. The time to converge counts from the end of the last fault (a heal, a restart, a
 * SIGCONT, or a kill that is not followed by a restart). Not thread-safe.
 */
final class TestbedRun {
  /** How often convergence is polled. */
  static final long POLL_MILLIS = 250;

  private final TestbedNodes nodes;
  private final Path dir;
  private final PrintWriter out;
  private final double lossRate;
  private final long snapshotBytes;
  private final List<TestbedPlan.Cut> cuts = new ArrayList<>();
  private final Map<String, Path> published = new HashMap<>();
  private final List<TestbedPlan.Action> done = new ArrayList<>();
  private final SplittableRandom bytes = new SplittableRandom(0x5EED);
  private long startNanos;
  private int publishFailures;

  TestbedRun(TestbedNodes nodes, Path dir, PrintWriter out, double lossRate, long snapshotBytes) {
    this.nodes = nodes;
    this.dir = dir;
    this.out = out;
    this.lossRate = lossRate;
    this.snapshotBytes = snapshotBytes;
  }

  /** Plays {@code plan}; returns whether every invariant held. */
  boolean play(TestbedPlan plan, int convergeTimeoutSeconds) throws Exception {
    startNanos = System.nanoTime();
    if (lossRate > 0) {
      applyFaults();
    }
    double lastFault = 0;
    for (TestbedPlan.Action a : plan.actions()) {
      waitUntil(a.atSeconds());
      say(a.atSeconds(), describe(a));
      run(a);
      done.add(a);
      if (a.kind() != TestbedPlan.Kind.PUBLISH && a.kind() != TestbedPlan.Kind.PUBLISH_EACH_SIDE) {
        lastFault = seconds();
      }
    }
    if (lossRate > 0) {
      lossRateOff();
    }
    TestbedCheck check = new TestbedCheck(nodes, published, TestbedPlan.downAfter(done));
    long deadline = System.nanoTime() + convergeTimeoutSeconds * 1_000_000_000L;
    List<String> left = check.disagreements();
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(POLL_MILLIS);
      left = check.disagreements();
    }
    double converged = seconds() - lastFault;
    Files.createDirectories(dir.resolve("readback"));
    List<String> readBack = left.isEmpty() ? check.readBack(dir.resolve("readback")) : List.of();
    summary(left, readBack, converged);
    return left.isEmpty() && readBack.isEmpty();
  }

  private void run(TestbedPlan.Action a) throws Exception {
    switch (a.kind()) {
      case PUBLISH -> publish(a.node() >= 0 ? a.node() : anyLive());
      case PUBLISH_EACH_SIDE -> publishEachSide(a.cut());
      case CUT -> {
        cuts.add(a.cut());
        applyFaults();
      }
      case HEAL -> {
        cuts.remove(a.cut());
        applyFaults();
      }
      case CRASH -> nodes.kill(nodes.get(a.node()));
      case RESTART -> {
        nodes.restart(nodes.get(a.node()));
        applyFaults();
      }
      case STOP -> nodes.signal(nodes.get(a.node()), true);
      case CONT -> {
        nodes.signal(nodes.get(a.node()), false);
        applyFaults();
      }
    }
  }

  /** Sets every live node's faults from the partitions in force (and the scenario's loss). */
  private void applyFaults() throws IOException {
    int n = nodes.all().size();
    for (TestbedNodes.Node node : nodes.live()) {
      TreeSet<Integer> to = new TreeSet<>();
      TreeSet<Integer> from = new TreeSet<>();
      for (TestbedPlan.Cut c : cuts) {
        for (int j = 0; j < n; j++) {
          if (c.blocks(node.index, j)) {
            to.add(j);
          }
          if (c.blocks(j, node.index)) {
            from.add(j);
          }
        }
      }
      nodes.setFaults(node, to, from, lossRate);
    }
  }

  private void lossRateOff() throws IOException {
    for (TestbedNodes.Node node : nodes.live()) {
      nodes.setFaults(node, new TreeSet<>(), new TreeSet<>(), 0);
    }
  }

  private void publishEachSide(TestbedPlan.Cut cut) throws IOException {
    TreeSet<Integer> sides = new TreeSet<>();
    for (TestbedNodes.Node n : nodes.live()) {
      if (sides.add(cut.groupOf()[n.index])) {
        publish(n.index);
      }
    }
  }

  /** Publishes fresh random bytes as the next version of "state" on node {@code i}. */
  private void publish(int i) throws IOException {
    TestbedNodes.Node n = nodes.get(i);
    if (!n.isLive()) {
      say(seconds(), "  node " + i + " is down: no publish");
      return;
    }
    Path file = dir.resolve("published").resolve("p" + published.size() + ".bin");
    Files.createDirectories(file.getParent());
    byte[] b = new byte[(int) snapshotBytes];
    bytes.nextBytes(b);
    Files.write(file, b);
    try {
      JsonNode r =
          n.client()
              .post(
                  "/publish",
                  new PublishCall("state", file.toString(), null, null, null),
                  JsonNode.class);
      published.put(r.get("root").asText(), file);
      say(seconds(), "  node " + i + " published state@" + r.get("version").asLong());
    } catch (IOException | RuntimeException e) {
      publishFailures++;
      say(seconds(), "  node " + i + " could not publish: " + e.getMessage());
    }
  }

  private int anyLive() {
    List<TestbedNodes.Node> live = nodes.live();
    return live.isEmpty() ? 0 : live.get(bytes.nextInt(live.size())).index;
  }

  private void summary(List<String> left, List<String> readBack, double converged) {
    Map<TestbedPlan.Kind, Integer> c = TestbedCommand.count(done);
    out.printf(
        "faults injected: %d partitions, %d SIGKILLs (%d restarts), %d SIGSTOPs; %d publishes"
            + " (%d failed)%n",
        c.getOrDefault(TestbedPlan.Kind.CUT, 0),
        c.getOrDefault(TestbedPlan.Kind.CRASH, 0),
        c.getOrDefault(TestbedPlan.Kind.RESTART, 0),
        c.getOrDefault(TestbedPlan.Kind.STOP, 0),
        published.size(),
        publishFailures);
    if (left.isEmpty()) {
      out.printf(Locale.ROOT, "converged %.1f s after the last fault%n", converged);
    } else {
      out.printf(Locale.ROOT, "NOT converged %.1f s after the last fault:%n", converged);
      left.forEach(l -> out.println("  " + l));
    }
    out.println(
        "invariants: planned nodes up, members agree, winners agree, winners held complete: "
            + (left.isEmpty() ? "ok" : "FAILED"));
    out.println(
        "invariants: every winner reads back as published on every live node: "
            + (!left.isEmpty() ? "not checked" : readBack.isEmpty() ? "ok" : "FAILED"));
    readBack.forEach(l -> out.println("  " + l));
    out.flush();
  }

  private static String describe(TestbedPlan.Action a) {
    return switch (a.kind()) {
      case PUBLISH -> "publish";
      case PUBLISH_EACH_SIDE -> "publish on each side of partition " + a.cut().id();
      case CUT -> "cut " + a.cut();
      case HEAL -> "heal partition " + a.cut().id();
      case CRASH -> "SIGKILL node " + a.node();
      case RESTART -> "restart node " + a.node();
      case STOP -> "SIGSTOP node " + a.node();
      case CONT -> "SIGCONT node " + a.node();
    };
  }

  private void say(double at, String line) {
    out.printf(Locale.ROOT, "[%6.1f s] %s%n", at, line);
    out.flush();
  }

  private void waitUntil(double atSeconds) throws InterruptedException {
    long wait = startNanos + (long) (atSeconds * 1e9) - System.nanoTime();
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
  }

  private double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
