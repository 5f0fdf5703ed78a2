package io.shoal.sim;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The scripts of the built-in scenarios, scheduled on the event queue before the run starts: swarm
 * join (seeders publish, the others start within the join spread), churn (swarm join, then crashes,
 * restarts and joins at random times), partition and heal (every side publishes its own version
 * while cut off), recovery (a node crashes, a new version is published, the node comes back), and
 * the scheduled or random partitions of any scenario. Every draw comes from the run's generator, in
 * script order. Not thread-safe.
 */
final class ScenarioScript {
  private final Scenario s;
  private final SplittableRandom random;
  private final Cluster cluster;
  private final PublishedSnapshots published;
  private final ChunkUniverse universe;
  private final RealPayload real;
  private final Network net;
  private final EventQueue queue;
  private final NodeTimers timers;
  private final Results results;
  private long lastDisruptionNanos;

  /**
   * @param random the run's generator
   * @param real real payloads, or null for virtual ones
   */
  ScenarioScript(
      Scenario s,
      SplittableRandom random,
      Cluster cluster,
      PublishedSnapshots published,
      ChunkUniverse universe,
      RealPayload real,
      Network net,
      EventQueue queue,
      NodeTimers timers,
      Results results) {
    this.s = s;
    this.random = random;
    this.cluster = cluster;
    this.published = published;
    this.universe = universe;
    this.real = real;
    this.net = net;
    this.queue = queue;
    this.timers = timers;
    this.results = results;
  }

  /** The latest instant a start, crash, restart, join or heal is scheduled for. */
  long lastDisruptionNanos() {
    return lastDisruptionNanos;
  }

  /** Adds the nodes, the first snapshot, and schedules the scenario. */
  void setUp() {
    for (int i = 0; i < s.nodes(); i++) {
      cluster.add();
    }
    markCorrupt();
    long firstSeed = random.nextLong();
    SnapshotModel first =
        real != null
            ? real.publish(
                universe, "state", 1, RealPayload.randomBytes(s.snapshotBytes(), firstSeed))
            : SnapshotModel.generate(
                universe, "state", 1, s.snapshotBytes(), s.chunkBytes(), firstSeed);
    published.add(first);
    published.setTarget(first);
    switch (s.kind()) {
      case "swarm-join" -> swarmJoin(first);
      case "partition-heal" -> partitionHeal(first);
      case "churn" -> churn(first);
      case "recovery" -> recovery(first);
      default -> throw new IllegalStateException(s.kind());
    }
    schedulePartitions();
  }

  private void markCorrupt() {
    List<Integer> candidates = cluster.nonSeeders();
    for (int k = 0; k < s.corruptNodes(); k++) {
      cluster.get(candidates.remove(random.nextInt(candidates.size()))).corrupt = true;
    }
  }

  private void swarmJoin(SnapshotModel first) {
    startSeeders(first);
    for (int i = s.seeders(); i < s.nodes(); i++) {
      SimNode n = cluster.get(i);
      startAt(spread(), n);
    }
  }

  private void churn(SnapshotModel first) {
    swarmJoin(first);
    double window = s.joinSpreadSeconds() + Math.max(5, estimatedTransferSeconds());
    List<Integer> candidates = cluster.nonSeeders();
    for (int k = 0; k < s.crashes(); k++) {
      SimNode n = cluster.get(candidates.remove(random.nextInt(candidates.size())));
      long crashAt = nanos(s.joinSpreadSeconds() + random.nextDouble() * window);
      queue.at(crashAt, () -> cluster.crash(n));
      disruptionAt(crashAt);
      if (s.restartAfterSeconds() > 0) {
        boolean moves = random.nextDouble() < s.newAddressFraction();
        long restartAt = crashAt + nanos(s.restartAfterSeconds());
        queue.at(restartAt, () -> cluster.restart(n, moves));
        disruptionAt(restartAt);
      }
    }
    for (int k = 0; k < s.joins(); k++) {
      long joinAt = nanos(s.joinSpreadSeconds() + random.nextDouble() * window);
      queue.at(joinAt, () -> cluster.start(cluster.add()));
      disruptionAt(joinAt);
    }
  }

  private void partitionHeal(SnapshotModel first) {
    startSeeders(first);
    for (int i = s.seeders(); i < s.nodes(); i++) {
      SimNode n = cluster.get(i);
      startAt(spread(), n);
    }
    // During each scheduled partition, every group publishes its own next version.
    for (Scenario.PartitionSpec p : s.partitions()) {
      Network.Partition cut = partitionOf(p);
      long publishAt = nanos(p.atSeconds() + (p.healSeconds() - p.atSeconds()) / 2);
      queue.at(publishAt, () -> publishOnEachSide(cut));
    }
  }

  private void recovery(SnapshotModel first) {
    for (SimNode n : cluster.nodes()) {
      publish(n, first);
    }
    for (SimNode n : cluster.nodes()) {
      startAt(spread(), n);
    }
    SimNode recovering = cluster.get(cluster.nodes().size() - 1);
    results.recovering(recovering);
    long settle = nanos(s.joinSpreadSeconds() + 10);
    SnapshotModel next = nextVersion(first, s.changePercent());
    published.add(next);
    queue.at(settle, () -> cluster.crash(recovering));
    queue.at(settle + nanos(1), () -> publish(cluster.get(0), next));
    long back = settle + nanos(Math.max(15, s.restartAfterSeconds()));
    queue.at(
        back,
        () -> {
          results.recoveringRestarts();
          results.reference(queue.now(), "restart of the recovering node");
          cluster.restart(recovering, false);
        });
    disruptionAt(back);
  }

  private void startSeeders(SnapshotModel first) {
    for (int i = 0; i < s.seeders(); i++) {
      cluster.start(cluster.get(i));
    }
    long publishAt = nanos(s.publishAtSeconds());
    Runnable publish =
        () -> {
          for (int i = 0; i < s.seeders(); i++) {
            publish(cluster.get(i), first);
          }
        };
    if (publishAt == 0) {
      publish.run();
    } else {
      queue.at(publishAt, publish);
      disruptionAt(publishAt);
    }
  }

  private void publishOnEachSide(Network.Partition cut) {
    SnapshotModel base = published.expectedWinner("state");
    boolean[] done = new boolean[cut.groups()];
    for (SimNode n : cluster.nodes()) {
      int g = cut.group(n.index);
      if (n.up && !done[g]) {
        done[g] = true;
        SnapshotModel next = nextVersion(base, 1);
        published.add(next);
        publish(n, next);
      }
    }
  }

  /** The next version of {@code base}, {@code percent} of it changed. */
  private SnapshotModel nextVersion(SnapshotModel base, double percent) {
    long seed = random.nextLong();
    if (real == null) {
      return base.next(universe, percent, seed);
    }
    byte[] edited = RealPayload.edit(real.contents(base.root), percent, seed);
    return real.publish(universe, base.name, base.version + 1, edited);
  }

  private void publish(SimNode n, SnapshotModel snap) {
    long now = queue.now();
    published.published(snap, now);
    n.publish(snap, now);
    timers.reschedule(n);
  }

  private void schedulePartitions() {
    for (Scenario.PartitionSpec p : s.partitions()) {
      schedulePartition(partitionOf(p), nanos(p.atSeconds()), nanos(p.healSeconds()));
    }
    long t = nanos(s.joinSpreadSeconds() + 10);
    for (int k = 0; k < s.randomPartitions(); k++) {
      long length = nanos(5 + random.nextDouble() * 55);
      int[] groupOf = new int[s.nodes()];
      double share = 0.2 + 0.6 * random.nextDouble();
      for (int i = 0; i < groupOf.length; i++) {
        groupOf[i] = random.nextDouble() < share ? 0 : 1;
      }
      boolean oneWay = random.nextInt(4) == 0;
      Network.Partition cut =
          random.nextInt(5) == 0
              ? Network.isolate(s.nodes(), random.nextInt(s.nodes()), oneWay)
              : new Network.Partition(groupOf, 2, oneWay);
      schedulePartition(cut, t, t + length);
      if (s.kind().equals("partition-heal")) {
        queue.at(t + length / 2, () -> publishOnEachSide(cut));
      }
      t += length + nanos(s.minStableSeconds() + random.nextDouble() * 20);
    }
  }

  private Network.Partition partitionOf(Scenario.PartitionSpec p) {
    return p.isolate() >= 0
        ? Network.isolate(s.nodes(), p.isolate(), p.oneWay())
        : Network.groups(s.nodes(), p.groups(), p.oneWay());
  }

  private void schedulePartition(Network.Partition cut, long start, long heal) {
    queue.at(start, () -> net.start(cut));
    queue.at(
        heal,
        () -> {
          net.heal(cut);
          if (!net.isPartitioned()) {
            results.reference(queue.now(), "last heal");
          }
        });
    disruptionAt(heal);
  }

  private double estimatedTransferSeconds() {
    return s.snapshotBytes() / (s.seederUploadMBps() * 1e6) * 2;
  }

  private long spread() {
    return (long) (random.nextDouble() * s.joinSpreadSeconds() * 1e9);
  }

  /** Starts {@code n} at {@code t}: the swarm has not converged before every node is up. */
  private void startAt(long t, SimNode n) {
    queue.at(t, () -> cluster.start(n));
    disruptionAt(t);
  }

  private void disruptionAt(long t) {
    lastDisruptionNanos = Math.max(lastDisruptionNanos, t);
  }

  private static long nanos(double seconds) {
    return (long) (seconds * 1e9);
  }
}
