package io.shoal.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples the swarm every {@link #SAMPLE_NANOS} of virtual time: the share of followers holding the
 * target and the share of live nodes that agree on members and winners go into the timeline (and
 * the progress callback, once a virtual second); the run stops once both are whole, no partition is
 * active, no disruption is still scheduled, and every member's view confirms it. Not thread-safe.
 *
 * <p>Sampling only reads: it draws no random number, folds nothing into the trace and schedules
 * nothing but the next sample, so what the report charts cannot change the run or its trace hash.
 */
final class Sampler {
  /** How often the swarm is sampled for convergence and the timeline. */
  static final long SAMPLE_NANOS = 100_000_000L;

  /** Most timeline samples kept; longer runs keep every k-th. */
  static final int MAX_TIMELINE = 4000;

  /** The close-up keeps every sample of the run's last this many virtual seconds. */
  static final int CLOSE_UP_SECONDS = 60;

  private static final int MAX_CLOSE_UP = (int) (CLOSE_UP_SECONDS * 1_000_000_000L / SAMPLE_NANOS);

  private final Scenario s;
  private final boolean gossipMode;
  private final Cluster cluster;
  private final PublishedSnapshots published;
  private final Network net;
  private final Flows flows;
  private final EventQueue queue;
  private final Invariants invariants;
  private final ScenarioScript script;
  private final int timelineStride;
  private final List<SimResult.Sample> timeline = new ArrayList<>();
  private final ArrayDeque<SimResult.Sample> closeUp = new ArrayDeque<>();
  private long samples;
  private long liveSamples;
  private long convergedAtNanos = -1;
  private boolean stopped;

  /**
   * @param script what says when the last disruption is scheduled
   */
  Sampler(
      Scenario s,
      boolean gossipMode,
      Cluster cluster,
      PublishedSnapshots published,
      Network net,
      Flows flows,
      EventQueue queue,
      Invariants invariants,
      ScenarioScript script) {
    this.s = s;
    this.gossipMode = gossipMode;
    this.cluster = cluster;
    this.published = published;
    this.net = net;
    this.flows = flows;
    this.queue = queue;
    this.invariants = invariants;
    this.script = script;
    this.timelineStride =
        (int) Math.max(1, (long) (s.limitSeconds() * 1e9 / SAMPLE_NANOS) / MAX_TIMELINE);
  }

  /** Schedules the first sample. */
  void start(Simulation.Progress progress) {
    queue.at(SAMPLE_NANOS, () -> sample(progress));
  }

  /** Whether the run converged and should stop. */
  boolean isStopped() {
    return stopped;
  }

  /** When the run converged, or -1. */
  long convergedAtNanos() {
    return convergedAtNanos;
  }

  List<SimResult.Sample> timeline() {
    return timeline;
  }

  /** Seconds each node was up, summed over nodes, as sampled. */
  double nodeSeconds() {
    return liveSamples * (SAMPLE_NANOS / 1e9);
  }

  /** Every sample of the last {@link #CLOSE_UP_SECONDS}, oldest first. */
  List<SimResult.Sample> closeUp() {
    return List.copyOf(closeUp);
  }

  private void sample(Simulation.Progress progress) {
    samples++;
    int live = 0;
    for (SimNode n : cluster.nodes()) {
      live += n.up ? 1 : 0;
    }
    liveSamples += live;
    int followers = 0;
    int complete = 0;
    int members = 0;
    int catalogs = 0;
    int agree = 0;
    SnapshotModel target = published.target();
    for (SimNode n : cluster.nodes()) {
      if (!n.up) {
        continue;
      }
      if (s.follow() && target != null) {
        followers++;
        complete += n.holdsComplete(target) ? 1 : 0;
      }
      boolean seesMembers = seesEveryLiveMember(n, live);
      boolean knowsWinners = knowsEveryWinner(n);
      members += seesMembers ? 1 : 0;
      catalogs += knowsWinners ? 1 : 0;
      agree += seesMembers && knowsWinners ? 1 : 0;
    }
    double completeShare = followers == 0 ? 1 : complete / (double) followers;
    double agreeShare = share(agree, live);
    long now = queue.now();
    SimResult.Sample sample =
        new SimResult.Sample(
            now / 1e9,
            completeShare,
            agreeShare,
            share(members, live),
            share(catalogs, live),
            live,
            flows.bytesDelivered(),
            net.isPartitioned());
    if (samples % timelineStride == 0) {
      timeline.add(sample);
    }
    if (closeUp.size() == MAX_CLOSE_UP) {
      closeUp.removeFirst();
    }
    closeUp.addLast(sample);
    if (samples % (1_000_000_000L / SAMPLE_NANOS) == 0 && progress != null) {
      progress.onProgress(now / 1e9, completeShare, agreeShare, queue.processed());
    }
    boolean allIn = completeShare == 1 && agreeShare == 1 && !net.isPartitioned();
    // The sampled agreement counts suspects as members; confirm with every member's state (O(N^2),
    // so only when the cheap check already passes).
    if (allIn
        && now >= script.lastDisruptionNanos()
        && invariants.membershipViolations(live).isEmpty()) {
      convergedAtNanos = now;
      stopped = true;
      if (samples % timelineStride != 0) {
        timeline.add(sample); // the timeline ends where the run converged, however it is thinned
      }
      return;
    }
    queue.at(now + SAMPLE_NANOS, () -> sample(progress));
  }

  /** Whether node {@code n} sees exactly the live members (always, with a converged directory). */
  private boolean seesEveryLiveMember(SimNode n, int live) {
    return !gossipMode || n.gossip.reachableMembers() == live;
  }

  /** Whether node {@code n} knows the expected winner of each name. */
  private boolean knowsEveryWinner(SimNode n) {
    for (SnapshotModel w : published.expectedWinners()) {
      var known = n.knownWinner(w.name);
      if (known == null || !known.root().equals(w.root)) {
        return false;
      }
    }
    return true;
  }

  private static double share(int part, int whole) {
    return whole == 0 ? 0 : part / (double) whole;
  }
}
