package io.shoal.sim;

import io.shoal.gossip.NodeId;
import io.shoal.gossip.views.ViewCore;
import java.util.Arrays;

/** Reads a finished {@link ViewSimulation}'s nodes and counters into a {@link ViewResult}. */
final class ViewReport {
  private final ViewScenario s;
  private final ViewCore[] cores;
  private final boolean[] up;
  private final long[] startedAt;
  private final long[] crashedAt;
  private final long endNanos;
  private final long[] liveMask;
  private final int live;

  ViewReport(
      ViewScenario s,
      ViewCore[] cores,
      boolean[] up,
      NodeId[] ids,
      long[] startedAt,
      long[] crashedAt,
      long endNanos) {
    this.s = s;
    this.cores = cores;
    this.up = up;
    this.startedAt = startedAt;
    this.crashedAt = crashedAt;
    this.endNanos = endNanos;
    this.liveMask = new long[(ids.length + 63) >>> 6];
    int count = 0;
    for (int i = 0; i < up.length; i++) {
      if (up[i]) {
        liveMask[i >>> 6] |= 1L << i;
        count++;
      }
    }
    this.live = count;
  }

  ViewResult build(
      String traceHash,
      long events,
      ViewCost cost,
      int broadcasts,
      long[] broadcastAt,
      long[] lastDeliveryAt,
      long[][] delivered) {
    double nodeSeconds = nodeSeconds();
    double per = nodeSeconds > 0 ? 1 / nodeSeconds : 0;
    double[] reliability = new double[broadcasts];
    double[] latency = new double[broadcasts];
    long deliveries = 0;
    int full = 0;
    for (int b = 0; b < broadcasts; b++) {
      int got = 0;
      for (int w = 0; w < liveMask.length; w++) {
        got += Long.bitCount(delivered[b][w] & liveMask[w]);
        deliveries += Long.bitCount(delivered[b][w]);
      }
      reliability[b] = live == 0 ? 0 : got / (double) live;
      full += got == live ? 1 : 0;
      latency[b] = (lastDeliveryAt[b] - broadcastAt[b]) / 1e9;
    }
    Arrays.sort(latency);
    long broadcastMessages = cost.messages(true);
    long[] views = viewStats();
    long duplicates = 0;
    long refused = 0;
    for (int i = 0; i < cores.length; i++) {
      if (up[i]) {
        duplicates += cores[i].duplicates();
        refused += cores[i].refusedMalformed() + cores[i].refusedNotNeighbor();
      }
    }
    ViewScenario sc = s;
    return new ViewResult(
        sc,
        traceHash,
        events,
        endNanos / 1e9,
        live,
        (int) Arrays.stream(crashedAt).filter(t -> t >= 0).count(),
        views[0] == 1,
        (int) views[0],
        live == 0 ? 0 : views[1] / (double) live,
        (int) views[2],
        live == 0 ? 0 : views[3] / (double) live,
        views[4],
        broadcasts,
        Arrays.stream(reliability).average().orElse(0),
        Arrays.stream(reliability).min().orElse(0),
        full,
        percentile(latency, 0.50),
        percentile(latency, 0.99),
        broadcasts == 0 ? 0 : latency[broadcasts - 1],
        nodeSeconds,
        (cost.messages(false) + broadcastMessages) * per,
        (cost.bytes(false) + cost.bytes(true)) * per,
        cost.messages(false) * per,
        cost.bytes(false) * per,
        broadcastMessages * per,
        cost.bytes(true) * per,
        deliveries == 0 ? 0 : broadcastMessages / (double) (deliveries - broadcasts),
        cost.messagesByType(),
        duplicates,
        refused,
        sc.replayCommand());
  }

  /**
   * Components, summed active size, smallest active size, summed passive size, asymmetric links.
   */
  private long[] viewStats() {
    int n = cores.length;
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    long active = 0;
    long passive = 0;
    long asymmetric = 0;
    int min = Integer.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      if (!up[i]) {
        continue;
      }
      ViewCore c = cores[i];
      active += c.activeSize();
      passive += c.passiveView().size();
      min = Math.min(min, c.activeSize());
      for (int slot = 0; slot < c.activeSize(); slot++) {
        int j = (int) c.activePeer(slot).low();
        if (!up[j]) {
          continue;
        }
        if (!cores[j].activeView().contains(c.id())) {
          asymmetric++;
        }
        parent[find(parent, i)] = find(parent, j);
      }
    }
    long components = 0;
    for (int i = 0; i < n; i++) {
      if (up[i] && find(parent, i) == i) {
        components++;
      }
    }
    return new long[] {components, active, min == Integer.MAX_VALUE ? 0 : min, passive, asymmetric};
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private double nodeSeconds() {
    double total = 0;
    for (int i = 0; i < cores.length; i++) {
      if (up[i] || crashedAt[i] >= 0) {
        long end = crashedAt[i] >= 0 ? crashedAt[i] : endNanos;
        total += (end - startedAt[i]) / 1e9;
      }
    }
    return total;
  }

  private static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int k = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, k))];
  }
}
