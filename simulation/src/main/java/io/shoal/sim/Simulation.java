package io.shoal.sim;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.GossipConfig;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Outbound;
import io.shoal.node.core.PeerChoice;
import io.shoal.node.core.TransferConfig;
import io.shoal.node.core.TransferMessage;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One deterministic run of a {@link Scenario}: a discrete-event loop over virtual time that drives
 * every node's real protocol cores ({@link SimNode}) over a modelled network ({@link Network},
 * {@link Flows}). Nothing reads the wall clock and nothing depends on hash or thread order: events
 * are ordered by time, then by a sequence number; every generator is split from the run's seed.
 * Each processed event is folded into a trace hash, so equal seeds give equal hashes on any
 * machine.
 *
 * <p>The pieces: {@link EventQueue} (virtual time and events), {@link TraceHash}, {@link
 * ScenarioScript} (the scenarios), {@link Cluster} (nodes and their life cycle) with {@link
 * NodeTimers}, {@link SimWire} (the simulated wire), {@link ConvergedDirectory}, {@link
 * PublishedSnapshots}, {@link Sampler} (convergence and the timeline), {@link Invariants} and
 * {@link Results}. This class validates the scenario, wires the pieces, runs the loop, and answers
 * the nodes as their {@link World}.
 *
 * <p>Single-threaded and not reusable: construct, {@link #run}, read the result.
 */
public final class Simulation implements World {
  /** Told about progress once per virtual second. Called on the simulation's thread. */
  public interface Progress {
    void onProgress(double virtualSeconds, double complete, double agree, long events);
  }

  /** Largest snapshot with real payloads (every node holds a copy in memory). */
  static final int MAX_REAL_SNAPSHOT_MIB = 64;

  /** Most nodes with real payloads. */
  static final int MAX_REAL_NODES = 200;

  private final Scenario s;
  private final Network net;
  private final Flows flows = new Flows();
  private final ChunkUniverse universe = new ChunkUniverse();
  private final EventQueue queue = new EventQueue();
  private final TraceHash trace = new TraceHash();
  private final NodeTimers timers = new NodeTimers(queue, trace);
  private final PublishedSnapshots published = new PublishedSnapshots();
  private final RealPayload real;
  private final ConvergedDirectory directory;
  private final Cluster cluster;
  private final SimWire wire;
  private final Invariants invariants;
  private final Results results;
  private final ScenarioScript script;
  private final Sampler sampler;

  public Simulation(Scenario scenario) {
    this.s = scenario;
    SplittableRandom random = new SplittableRandom(scenario.seed());
    SplittableRandom nodeSeeds = random.split();
    this.net =
        new Network(
            random.nextLong(), scenario.latencyMinMs(), scenario.latencyMaxMs(), scenario.loss());
    boolean gossipMode = scenario.directory().equals("gossip");
    if (scenario.realPayload()
        && (scenario.snapshotMib() > MAX_REAL_SNAPSHOT_MIB || scenario.nodes() > MAX_REAL_NODES)) {
      throw new IllegalArgumentException(
          "realPayload is for small runs: at most "
              + MAX_REAL_NODES
              + " nodes and "
              + MAX_REAL_SNAPSHOT_MIB
              + " MiB");
    }
    this.real = scenario.realPayload() ? new RealPayload() : null;
    if (!gossipMode
        && (scenario.crashes() > 0
            || scenario.joins() > 0
            || !scenario.partitions().isEmpty()
            || scenario.randomPartitions() > 0
            || !scenario.kind().equals("swarm-join"))) {
      throw new IllegalArgumentException(
          "the converged directory models a fault-free swarm-join only; use directory gossip");
    }
    GossipConfig gossipConfig = GossipConfig.defaults();
    this.directory =
        new ConvergedDirectory(
            gossipMode, scenario.seeders(), gossipConfig.gossipIntervalNanos(), queue, timers);
    this.cluster =
        new Cluster(
            scenario,
            this,
            nodeSeeds,
            gossipConfig,
            TransferConfig.defaults(),
            gossipMode,
            flows,
            real,
            queue,
            timers,
            trace,
            directory,
            published);
    this.wire = new SimWire(net, flows, universe, real, cluster, queue, timers, trace);
    this.invariants = new Invariants(gossipMode, cluster, published, universe, real);
    this.results = new Results(scenario, cluster, published, universe, flows, queue, trace);
    this.script =
        new ScenarioScript(
            scenario, random, cluster, published, universe, real, net, queue, timers, results);
    this.sampler =
        new Sampler(
            scenario, gossipMode, cluster, published, net, flows, queue, invariants, script);
  }

  /** Plays the scenario to convergence or to its limits. */
  public SimResult run(Progress progress) {
    script.setUp();
    sampler.start(progress);
    long limit = (long) (s.limitSeconds() * 1e9);
    while (!sampler.isStopped() && queue.processed() < s.maxEvents()) {
      long tEvent = queue.nextAt();
      long tFlow = flows.nextFinishNanos();
      long t = Math.min(tEvent, tFlow);
      if (t == Long.MAX_VALUE || t > limit) {
        break;
      }
      queue.advanceTo(t);
      if (tFlow <= tEvent) {
        flows.finishNext(queue.now(), wire::onFlowDone);
      } else {
        queue.runNext();
      }
    }
    invariants.checkAtEnd(sampler.convergedAtNanos() >= 0);
    return results.build(
        sampler.convergedAtNanos(),
        sampler.timeline(),
        sampler.closeUp(),
        cluster.marks(),
        wire.cost().traffic(sampler.nodeSeconds()),
        invariants.violations());
  }

  // ---------------------------------------------------------------- World

  @Override
  public void sendGossip(SimNode from, Outbound o) {
    wire.sendGossip(from, o);
  }

  @Override
  public void sendTransfer(SimNode from, NodeId toId, TransferMessage m) {
    wire.sendTransfer(from, toId, m);
  }

  @Override
  public boolean canSend(SimNode n) {
    return wire.canSend(n);
  }

  @Override
  public void sendChunk(SimNode from, NodeId toId, long requestId, int chunk, boolean corrupt) {
    wire.sendChunk(from, toId, requestId, chunk, corrupt);
  }

  @Override
  public SnapshotModel snapshot(ChunkId root) {
    return published.get(root);
  }

  @Override
  public void storePublished(SimNode n, SnapshotModel snap) {
    if (real != null) {
      real.copyInto(n.store, snap, universe);
    }
  }

  @Override
  public ChunkUniverse chunks() {
    return universe;
  }

  @Override
  public boolean follow() {
    return s.follow();
  }

  @Override
  public List<PeerChoice.Candidate> convergedHolders(ChunkId root) {
    return directory.holders(root);
  }

  @Override
  public List<NodeId> partialArrivals(ChunkId root) {
    return directory.arrivals(root);
  }

  @Override
  public String zoneOf(NodeId id) {
    SimNode n = cluster.byId(id);
    return n == null ? "" : n.zone;
  }

  @Override
  public boolean isUp(NodeId id) {
    return cluster.isUp(id);
  }

  @Override
  public void catalogPut(SimNode n, SnapshotModel snap, boolean complete) {
    directory.put(n, snap, complete, cluster.nodes());
  }

  @Override
  public void winnerLearned(SimNode n, ChunkId root, long nowNanos) {
    published.winnerLearned(n.index, root, nowNanos);
  }

  @Override
  public void fetchCompleted(SimNode n, SnapshotModel snap, long nowNanos) {
    invariants.fetchCompleted(n, snap);
    results.fetchCompleted(n, snap, nowNanos);
  }

  @Override
  public void chunkStored(SimNode n, int chunk, boolean corrupt) {
    invariants.chunkStored(n, chunk, corrupt);
  }

  @Override
  public void badChunk(SimNode n, NodeId from) {
    results.badChunk(n);
  }

  @Override
  public void peerBanned(SimNode n, NodeId peer) {
    results.peerBanned(n);
  }

  @Override
  public void commitAfter(SimNode n, long delayNanos) {
    long generation = n.generation;
    queue.at(
        queue.now() + delayNanos,
        () -> {
          if (n.up && n.generation == generation) {
            trace.fold(0xC0FFL + n.index);
            n.onCommit(queue.now());
            timers.reschedule(n);
          }
        });
  }
}
