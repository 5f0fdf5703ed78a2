package io.shoal.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Links between simulated nodes: a fixed one-way latency per link, drawn once from the run's seed,
 * datagram loss, and partitions (symmetric or one-way, between groups or around one node).
 * Bandwidth lives in {@link Flows}.
 */
final class Network {
  /** Node {@code i}'s group in a partition; nodes beyond the array are in the last group. */
  static final class Partition {
    private final int[] groupOf;
    private final int groups;
    private final boolean oneWay;

    Partition(int[] groupOf, int groups, boolean oneWay) {
      this.groupOf = groupOf.clone();
      this.groups = groups;
      this.oneWay = oneWay;
    }

    int groups() {
      return groups;
    }

    int group(int node) {
      return node < groupOf.length ? groupOf[node] : groups - 1;
    }

    boolean blocks(int from, int to) {
      int a = group(from);
      int b = group(to);
      return a != b && (!oneWay || a == 0);
    }
  }

  private final long seed;
  private final long minNanos;
  private final long spanNanos;
  private final double loss;
  private final SplittableRandom lossRandom;
  private final List<Partition> active = new ArrayList<>();

  Network(long seed, double latencyMinMs, double latencyMaxMs, double loss) {
    this.seed = seed;
    this.minNanos = (long) (latencyMinMs * 1e6);
    this.spanNanos = (long) ((latencyMaxMs - latencyMinMs) * 1e6);
    this.loss = loss;
    this.lossRandom = new SplittableRandom(seed ^ 0x6C6F7373L);
  }

  /** The one-way latency between two nodes, the same both ways and for the whole run. */
  long latencyNanos(int a, int b) {
    if (spanNanos == 0) {
      return minNanos;
    }
    long lo = Math.min(a, b);
    long hi = Math.max(a, b);
    long x = Mix.mix(seed ^ Mix.mix(lo * 0x9E3779B97F4A7C15L + hi));
    return minNanos + Math.floorMod(x, spanNanos + 1);
  }

  /** Whether a datagram is lost; draws from the network's generator. */
  boolean drops() {
    return loss > 0 && lossRandom.nextDouble() < loss;
  }

  boolean blocked(int from, int to) {
    for (int i = 0; i < active.size(); i++) {
      if (active.get(i).blocks(from, to)) {
        return true;
      }
    }
    return false;
  }

  boolean isPartitioned() {
    return !active.isEmpty();
  }

  void start(Partition p) {
    active.add(p);
  }

  void heal(Partition p) {
    active.remove(p);
  }

  /** Groups of the given sizes (fractions of {@code nodes}), contiguous in node order. */
  static Partition groups(int nodes, List<Double> fractions, boolean oneWay) {
    double total = 0;
    for (double f : fractions) {
      total += f;
    }
    int[] groupOf = new int[nodes];
    int start = 0;
    double acc = 0;
    for (int g = 0; g < fractions.size(); g++) {
      acc += fractions.get(g);
      int end = g == fractions.size() - 1 ? nodes : (int) Math.round(nodes * acc / total);
      for (int i = start; i < end; i++) {
        groupOf[i] = g;
      }
      start = Math.max(start, end);
    }
    return new Partition(groupOf, fractions.size(), oneWay);
  }

  /** One node cut off from all others. */
  static Partition isolate(int nodes, int node, boolean oneWay) {
    int[] groupOf = new int[Math.max(nodes, node + 1)];
    java.util.Arrays.fill(groupOf, 1);
    groupOf[node] = 0;
    return new Partition(groupOf, 2, oneWay);
  }
}
