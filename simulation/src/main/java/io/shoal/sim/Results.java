package io.shoal.sim;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The books of a run and the {@link SimResult} made from them: per-node completion times, chunks
 * rejected and peers banned, what convergence is counted from, the recovering node's fetch, and at
 * the end the percentiles, the Kumar and Ross bound, bytes moved and wasted, and dissemination
 * time. Not thread-safe.
 */
final class Results {
  private final Scenario s;
  private final Cluster cluster;
  private final PublishedSnapshots published;
  private final ChunkUniverse universe;
  private final Flows flows;
  private final EventQueue queue;
  private final TraceHash trace;
  private final Map<Integer, Double> completedAt = new TreeMap<>();
  private long chunksRejected;
  private long peersBanned;
  private long referenceNanos;
  private String referenceEvent = "publish";
  private SimNode recovering;
  private long recoveringFetchedAtRestart;

  Results(
      Scenario s,
      Cluster cluster,
      PublishedSnapshots published,
      ChunkUniverse universe,
      Flows flows,
      EventQueue queue,
      TraceHash trace) {
    this.s = s;
    this.cluster = cluster;
    this.published = published;
    this.universe = universe;
    this.flows = flows;
    this.queue = queue;
    this.trace = trace;
  }

  private List<Long> crossZoneBytes() {
    List<Long> out = new ArrayList<>();
    for (int z = 0; z < s.zones(); z++) {
      out.add(flows.crossZoneBytes(z));
    }
    return out;
  }

  /** Convergence is counted from {@code event} at {@code nanos} (a heal, a restart). */
  void reference(long nanos, String event) {
    referenceNanos = nanos;
    referenceEvent = event;
  }

  /** The recovery scenario's node that crashes and comes back. */
  void recovering(SimNode n) {
    recovering = n;
  }

  /** The recovering node restarts: what it fetches from now on is the recovery's cost. */
  void recoveringRestarts() {
    recoveringFetchedAtRestart = recovering.fetchedBytes;
  }

  void fetchCompleted(SimNode n, SnapshotModel snap, long nowNanos) {
    if (snap == published.target() && n.index >= s.seeders()) {
      completedAt.put(n.index, (nowNanos - published.publishNanos(snap)) / 1e9);
    }
  }

  void badChunk(SimNode n) {
    trace.fold(0xBADL + n.index);
    chunksRejected++;
  }

  void peerBanned(SimNode n) {
    trace.fold(0xBA2L + n.index);
    peersBanned++;
  }

  /**
   * The result of the run.
   *
   * @param convergedAtNanos when the run converged, or negative if it did not
   * @param traffic what the control messages cost
   */
  SimResult build(
      long convergedAtNanos,
      List<SimResult.Sample> timeline,
      List<SimResult.Sample> closeUp,
      List<SimResult.Mark> marks,
      SimResult.Traffic traffic,
      List<String> violations) {
    boolean ok = convergedAtNanos >= 0;
    List<Double> times = new ArrayList<>(completedAt.values());
    times.sort(Double::compare);
    SimResult.Percentiles pct = percentiles(times);
    double bound = s.kind().equals("swarm-join") ? kumarRossSeconds() : 0;
    double ratio = bound > 0 && !times.isEmpty() ? pct.max() / bound : 0;
    List<SimResult.Upload> uploads = new ArrayList<>();
    for (SimNode n : cluster.nodes()) {
      uploads.add(new SimResult.Upload(n.index, n.uploadedBytes, n.index < s.seeders()));
    }
    long changed = recovering == null ? 0 : changedBytes();
    long recoveryFetched =
        recovering == null ? 0 : recovering.fetchedBytes - recoveringFetchedAtRestart;
    long now = queue.now();
    return new SimResult(
        s,
        ok,
        ok ? (convergedAtNanos - referenceNanos) / 1e9 : -1,
        referenceEvent,
        now / 1e9,
        queue.processed(),
        trace.hex(),
        flows.bytesDelivered(),
        flows.bytesDelivered() + flows.bytesDropped() - usefulBytes(),
        disseminationSeconds(),
        chunksRejected,
        peersBanned,
        pct,
        bound,
        ratio,
        recoveryFetched,
        changed,
        timeline,
        closeUp,
        marks,
        uploads,
        traffic,
        violations,
        Scenarios.replayCommand(s),
        crossZoneBytes());
  }

  /**
   * The fluid lower bound of Kumar and Ross for one file of F bytes from seeders to N others: T >=
   * max(F/u_s, F/d_min, N*F/(u_s + sum of u_i)).
   */
  double kumarRossSeconds() {
    double f = published.target().bytes;
    double seedUp = 0;
    double othersUp = 0;
    double minDown = Double.MAX_VALUE;
    int n = 0;
    for (SimNode node : cluster.nodes()) {
      if (node.index < s.seeders()) {
        seedUp += node.uploadBytesPerSecond;
      } else {
        n++;
        othersUp += node.uploadBytesPerSecond;
        minDown = Math.min(minDown, node.downloadBytesPerSecond);
      }
    }
    return KumarRoss.seconds(f, seedUp, othersUp, minDown, n);
  }

  /** Completion percentiles over {@code times} (sorted), against the nodes expected to finish. */
  private SimResult.Percentiles percentiles(List<Double> times) {
    int expected = 0;
    if (s.follow() && !s.kind().equals("partition-heal")) {
      for (SimNode n : cluster.nodes()) {
        expected += n.index >= s.seeders() && n.up ? 1 : 0;
      }
    }
    return new SimResult.Percentiles(
        times.size(),
        expected,
        quantile(times, 0.50),
        quantile(times, 0.90),
        quantile(times, 0.99),
        quantile(times, 0.999),
        times.isEmpty() ? 0 : times.get(times.size() - 1));
  }

  /** Bytes of the target's leaves that the first version does not share. */
  private long changedBytes() {
    SnapshotModel v1 = published.firstVersion();
    BitSet old = new BitSet();
    for (int c : v1.leaves) {
      old.set(c);
    }
    long changed = 0;
    for (int c : published.target().leaves) {
      changed += old.get(c) ? 0 : universe.size(c);
    }
    return changed;
  }

  private double disseminationSeconds() {
    long last = 0;
    for (SimNode n : cluster.nodes()) {
      if (n.up) {
        Long t = published.learnedTargetAt(n.index);
        if (t == null) {
          return -1;
        }
        last = Math.max(last, t);
      }
    }
    return (last - published.publishNanos(published.target())) / 1e9;
  }

  private long usefulBytes() {
    long useful = 0;
    for (SimNode n : cluster.nodes()) {
      useful += n.usefulBytes;
    }
    return useful;
  }

  static double quantile(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}
