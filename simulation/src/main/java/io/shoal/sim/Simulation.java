package io.shoal.sim;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipConfig;
import io.shoal.gossip.GossipMessage;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Outbound;
import io.shoal.node.core.PeerChoice;
import io.shoal.node.core.TransferConfig;
import io.shoal.node.core.TransferMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One deterministic run of a {@link Scenario}: a discrete-event loop over virtual time that drives
 * every node's real protocol cores ({@link SimNode}) over a modelled network ({@link Network},
 * {@link Flows}). Nothing reads the wall clock and nothing depends on hash or thread order: events
 * are ordered by time, then by a sequence number; every generator is split from the run's seed.
 * Each processed event is folded into a trace hash, so equal seeds give equal hashes on any
 * machine.
 *
 * <p>Single-threaded and not reusable: construct, {@link #run}, read the result.
 */
public final class Simulation implements World {
  /** How often the swarm is sampled for convergence and the timeline. */
  static final long SAMPLE_NANOS = 100_000_000L;

  /** Most timeline samples kept; longer runs keep every k-th. */
  static final int MAX_TIMELINE = 4000;

  /**
   * Gossip intervals a catalog change takes to reach everyone, in the converged directory: log3 N
   * hops (fanout 3) of half an interval each (nodes push at random phases). Calibrated on the real
   * cores: at N = 1,000 this gives 0.63 s, where gossip mode measured 0.47 s (DisseminationTest)
   * and 0.64 s (bench/simulate.sh membership).
   */
  static double disseminationRounds(int nodes) {
    return Math.log(nodes) / Math.log(3) / 2;
  }

  /** Told about progress once per virtual second. Called on the simulation's thread. */
  public interface Progress {
    void onProgress(double virtualSeconds, double complete, double agree, long events);
  }

  private record Event(long at, long seq, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  /** A chunk on the wire: who asked, which request, which chunk, whether its bytes are bad. */
  private record ChunkPayload(
      SimNode from, SimNode to, long requestId, int chunk, boolean bad, ByteBuffer bytes) {}

  private final Scenario s;
  private final SplittableRandom random;
  private final SplittableRandom nodeSeeds;
  private final Network net;
  private final Flows flows = new Flows();
  private final ChunkUniverse universe = new ChunkUniverse();
  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private final List<SimNode> nodes = new ArrayList<>();
  private final Map<NodeId, SimNode> byId = new HashMap<>();
  private final Map<Endpoint, SimNode> byAddress = new HashMap<>();
  private final Map<ChunkId, SnapshotModel> snapshots = new HashMap<>();
  private final TreeMap<String, SnapshotModel> expectedWinners = new TreeMap<>();
  private final GossipConfig gossipConfig = GossipConfig.defaults();
  private final TransferConfig transferConfig = TransferConfig.defaults();
  private final boolean gossipMode;
  private final RealPayload real;

  /** Largest snapshot with real payloads (every node holds a copy in memory). */
  static final int MAX_REAL_SNAPSHOT_MIB = 64;

  /** Most nodes with real payloads. */
  static final int MAX_REAL_NODES = 200;

  private final Map<ChunkId, TreeMap<NodeId, Boolean>> converged = new HashMap<>();
  private final Map<ChunkId, List<NodeId>> arrivals = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  private final List<SimResult.Sample> timeline = new ArrayList<>();
  private final Map<Integer, Double> completedAt = new TreeMap<>();
  private final Map<ChunkId, Long> publishedAt = new HashMap<>();
  private final Map<Integer, Long> learnedTarget = new HashMap<>();

  private long now;
  private long seq;
  private long trace = 0x5EED;
  private long events;
  private long lastDisruptionNanos;
  private long referenceNanos;
  private long chunksRejected;
  private long peersBanned;
  private String referenceEvent = "publish";
  private SnapshotModel target;
  private SimNode recovering;
  private long recoveringFetchedAtRestart;
  private long convergedAtNanos = -1;
  private int timelineStride = 1;
  private long samples;
  private boolean stopped;

  public Simulation(Scenario scenario) {
    this.s = scenario;
    this.random = new SplittableRandom(scenario.seed());
    this.nodeSeeds = random.split();
    this.net =
        new Network(
            random.nextLong(), scenario.latencyMinMs(), scenario.latencyMaxMs(), scenario.loss());
    this.gossipMode = scenario.directory().equals("gossip");
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
    this.timelineStride =
        (int) Math.max(1, (long) (scenario.limitSeconds() * 1e9 / SAMPLE_NANOS) / MAX_TIMELINE);
  }

  /** Plays the scenario to convergence or to its limits. */
  public SimResult run(Progress progress) {
    setUp();
    at(SAMPLE_NANOS, () -> sample(progress));
    long limit = (long) (s.limitSeconds() * 1e9);
    while (!stopped && events < s.maxEvents()) {
      Event e = queue.peek();
      long tEvent = e == null ? Long.MAX_VALUE : e.at;
      long tFlow = flows.nextFinishNanos();
      long t = Math.min(tEvent, tFlow);
      if (t == Long.MAX_VALUE || t > limit) {
        break;
      }
      now = t;
      events++;
      if (tFlow <= tEvent) {
        flows.finishNext(now, this::onFlowDone);
      } else {
        queue.poll();
        e.action.run();
      }
    }
    checkInvariants();
    return result();
  }

  // ---------------------------------------------------------------- scenario

  private void setUp() {
    for (int i = 0; i < s.nodes(); i++) {
      addNode();
    }
    markCorrupt();
    long firstSeed = random.nextLong();
    SnapshotModel first =
        real != null
            ? real.publish(
                universe, "state", 1, RealPayload.randomBytes(s.snapshotBytes(), firstSeed))
            : SnapshotModel.generate(
                universe, "state", 1, s.snapshotBytes(), s.chunkBytes(), firstSeed);
    snapshots.put(first.root, first);
    target = first;
    switch (s.kind()) {
      case "swarm-join" -> swarmJoin(first);
      case "partition-heal" -> partitionHeal(first);
      case "churn" -> churn(first);
      case "recovery" -> recovery(first);
      default -> throw new IllegalStateException(s.kind());
    }
    schedulePartitions();
  }

  private void swarmJoin(SnapshotModel first) {
    startSeeders(first);
    for (int i = s.seeders(); i < s.nodes(); i++) {
      SimNode n = nodes.get(i);
      startAt(spread(), n);
    }
  }

  private void churn(SnapshotModel first) {
    swarmJoin(first);
    double window = s.joinSpreadSeconds() + Math.max(5, estimatedTransferSeconds());
    List<Integer> candidates = nonSeeders();
    for (int k = 0; k < s.crashes(); k++) {
      SimNode n = nodes.get(candidates.remove(random.nextInt(candidates.size())));
      long crashAt = nanos(s.joinSpreadSeconds() + random.nextDouble() * window);
      at(crashAt, () -> crash(n));
      disruptionAt(crashAt);
      if (s.restartAfterSeconds() > 0) {
        boolean moves = random.nextDouble() < s.newAddressFraction();
        long restartAt = crashAt + nanos(s.restartAfterSeconds());
        at(restartAt, () -> restart(n, moves));
        disruptionAt(restartAt);
      }
    }
    for (int k = 0; k < s.joins(); k++) {
      long joinAt = nanos(s.joinSpreadSeconds() + random.nextDouble() * window);
      at(joinAt, () -> startNode(addNode()));
      disruptionAt(joinAt);
    }
  }

  private void partitionHeal(SnapshotModel first) {
    startSeeders(first);
    for (int i = s.seeders(); i < s.nodes(); i++) {
      SimNode n = nodes.get(i);
      startAt(spread(), n);
    }
    // During each scheduled partition, every group publishes its own next version.
    for (Scenario.PartitionSpec p : s.partitions()) {
      Network.Partition cut = partitionOf(p);
      long publishAt = nanos(p.atSeconds() + (p.healSeconds() - p.atSeconds()) / 2);
      at(publishAt, () -> publishOnEachSide(cut));
    }
  }

  private void recovery(SnapshotModel first) {
    for (SimNode n : nodes) {
      publish(n, first);
    }
    for (SimNode n : nodes) {
      startAt(spread(), n);
    }
    recovering = nodes.get(nodes.size() - 1);
    long settle = nanos(s.joinSpreadSeconds() + 10);
    SnapshotModel next = nextVersion(first, s.changePercent());
    snapshots.put(next.root, next);
    at(settle, () -> crash(recovering));
    at(settle + nanos(1), () -> publish(nodes.get(0), next));
    long back = settle + nanos(Math.max(15, s.restartAfterSeconds()));
    at(
        back,
        () -> {
          recoveringFetchedAtRestart = recovering.fetchedBytes;
          referenceNanos = now;
          referenceEvent = "restart of the recovering node";
          restart(recovering, false);
        });
    disruptionAt(back);
  }

  private void startSeeders(SnapshotModel first) {
    for (int i = 0; i < s.seeders(); i++) {
      startNode(nodes.get(i));
    }
    long publishAt = nanos(s.publishAtSeconds());
    Runnable publish =
        () -> {
          for (int i = 0; i < s.seeders(); i++) {
            publish(nodes.get(i), first);
          }
        };
    if (publishAt == 0) {
      publish.run();
    } else {
      at(publishAt, publish);
      disruptionAt(publishAt);
    }
  }

  private void publishOnEachSide(Network.Partition cut) {
    SnapshotModel base = expectedWinners.get("state");
    boolean[] done = new boolean[cut.groups()];
    for (SimNode n : nodes) {
      int g = cut.group(n.index);
      if (n.up && !done[g]) {
        done[g] = true;
        SnapshotModel next = nextVersion(base, 1);
        snapshots.put(next.root, next);
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
    SnapshotModel known = expectedWinners.get(snap.name);
    if (known == null
        || io.shoal.gossip.Winners.beats(snap.version, snap.root, known.version, known.root)) {
      expectedWinners.put(snap.name, snap);
      target = snap;
      learnedTarget.clear();
    }
    publishedAt.putIfAbsent(snap.root, now);
    n.publish(snap, now);
    reschedule(n);
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
        at(t + length / 2, () -> publishOnEachSide(cut));
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
    at(start, () -> net.start(cut));
    at(
        heal,
        () -> {
          net.heal(cut);
          if (!net.isPartitioned()) {
            referenceNanos = now;
            referenceEvent = "last heal";
          }
        });
    disruptionAt(heal);
  }

  // ---------------------------------------------------------------- nodes

  private SimNode addNode() {
    int i = nodes.size();
    SplittableRandom r = nodeSeeds.split();
    NodeId id = new NodeId(r.nextLong(), r.nextLong());
    SimNode n = new SimNode(i, id, address(i, 0), this, gossipConfig, transferConfig, r.split());
    Scenario.LinkClass c = linkClass(r);
    double upBps = c.uploadMBps() * 1e6;
    double downBps = c.downloadMBps() * 1e6;
    if (i < s.seeders()) {
      upBps = s.seederUploadMBps() * 1e6;
    } else if (r.nextDouble() < s.slowFraction()) {
      upBps /= s.slowFactor();
      downBps /= s.slowFactor();
    }
    n.uploadBytesPerSecond = upBps;
    n.downloadBytesPerSecond = downBps;
    n.store =
        real == null
            ? null
            : io.shoal.chunkstore.ChunkStore.inMemory(RealPayload.STORE_CAPACITY_BYTES);
    flows.setCapacity(i, upBps, downBps);
    nodes.add(n);
    byId.put(id, n);
    return n;
  }

  private void markCorrupt() {
    List<Integer> candidates = nonSeeders();
    for (int k = 0; k < s.corruptNodes(); k++) {
      nodes.get(candidates.remove(random.nextInt(candidates.size()))).corrupt = true;
    }
  }

  /** Indexes of the nodes present at the start that are not seeders, in order. */
  private List<Integer> nonSeeders() {
    List<Integer> out = new ArrayList<>();
    for (int i = s.seeders(); i < s.nodes(); i++) {
      out.add(i);
    }
    return out;
  }

  private Scenario.LinkClass linkClass(SplittableRandom r) {
    double total = 0;
    for (Scenario.LinkClass c : s.capacities()) {
      total += c.weight();
    }
    double x = r.nextDouble() * total;
    for (Scenario.LinkClass c : s.capacities()) {
      x -= c.weight();
      if (x < 0) {
        return c;
      }
    }
    return s.capacities().get(s.capacities().size() - 1);
  }

  private static Endpoint address(int i, int move) {
    return new Endpoint(
        "10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff), 7420 + move);
  }

  private void startNode(SimNode n) {
    byAddress.put(n.address, n);
    List<Endpoint> seeds = n.index == 0 ? List.of() : List.of(nodes.get(0).address);
    n.start(seeds, gossipMode, now);
    if (!gossipMode) {
      for (SnapshotModel w : expectedWinners.values()) {
        TreeMap<NodeId, Boolean> h = converged.get(w.root);
        if (h != null && h.containsValue(true)) {
          n.onConvergedHolder(nodes.get(0).id, w, true, now);
        }
      }
    }
    reschedule(n);
  }

  private void crash(SimNode n) {
    if (!n.up) {
      return;
    }
    trace = Mix.fold(trace, 0xC7A5L + n.index);
    flows.dropNode(n.index, now);
    n.crash();
    byAddress.remove(n.address);
    n.timerGeneration++;
    n.scheduledNanos = Long.MAX_VALUE;
  }

  private void restart(SimNode n, boolean newAddress) {
    if (n.up) {
      return;
    }
    if (newAddress) {
      n.address = new Endpoint(n.address.host(), n.address.port() + 1);
    }
    startNode(n);
  }

  /** Makes sure the node's timer event matches its next deadline. */
  private void reschedule(SimNode n) {
    long next = n.nextDeadlineNanos(now);
    if (next == n.scheduledNanos) {
      return;
    }
    n.scheduledNanos = next;
    long generation = ++n.timerGeneration;
    if (next != Long.MAX_VALUE) {
      at(
          Math.max(next, now),
          () -> {
            if (n.timerGeneration == generation && n.up) {
              n.scheduledNanos = Long.MAX_VALUE;
              trace = Mix.fold(trace, 0x7173L + n.index);
              n.onTimer(now);
              reschedule(n);
            }
          });
    }
  }

  // ---------------------------------------------------------------- World

  @Override
  public void sendGossip(SimNode from, Outbound o) {
    SimNode to = byAddress.get(o.to());
    if (to == null || net.drops()) {
      return;
    }
    Endpoint fromAddress = from.address;
    GossipMessage m = o.message();
    deliver(
        from,
        to,
        m,
        () -> {
          if (to.address.equals(o.to())) {
            to.onGossip(from.id, fromAddress, m, now);
          }
        });
  }

  @Override
  public void sendTransfer(SimNode from, NodeId toId, TransferMessage m) {
    SimNode to = byId.get(toId);
    if (to != null) {
      deliver(from, to, m, () -> to.onTransfer(from.id, m, now));
    }
  }

  /**
   * Hands {@code message} to {@code to} after the link's latency, unless either end crashed (or
   * restarted) meanwhile or a partition cut the link.
   */
  private void deliver(SimNode from, SimNode to, Object message, Runnable handler) {
    long toGeneration = to.generation;
    long fromGeneration = from.generation;
    at(
        now + net.latencyNanos(from.index, to.index),
        () -> {
          if (to.up
              && from.up
              && to.generation == toGeneration
              && from.generation == fromGeneration
              && !net.blocked(from.index, to.index)) {
            trace =
                Mix.fold(Mix.fold(trace, to.index), message.getClass().getSimpleName().hashCode());
            handler.run();
            reschedule(to);
          }
        });
  }

  @Override
  public boolean canSend(SimNode n) {
    return flows.hasRoom(n.index);
  }

  @Override
  public void sendChunk(SimNode from, NodeId toId, long requestId, int chunk, boolean corrupt) {
    SimNode to = byId.get(toId);
    if (to == null || !to.up) {
      from.onSent(toId, 0, now);
      return;
    }
    ByteBuffer bytes =
        real == null ? null : RealPayload.outgoing(from.store, universe.id(chunk), corrupt);
    flows.send(
        from.index,
        to.index,
        universe.size(chunk),
        new ChunkPayload(from, to, requestId, chunk, corrupt, bytes),
        now);
  }

  private void onFlowDone(Flows.Flow f, long nowNanos) {
    ChunkPayload p = (ChunkPayload) f.payload;
    trace = Mix.fold(Mix.fold(trace, 0xF10L + p.to.index), p.requestId);
    SimNode from = p.from;
    SimNode to = p.to;
    from.onSent(to.id, (int) f.bytes, now);
    reschedule(from);
    if (net.blocked(from.index, to.index)) {
      return; // the connection broke under the partition: the bytes were wasted
    }
    long toGeneration = to.generation;
    at(
        now + net.latencyNanos(from.index, to.index),
        () -> {
          if (to.up && to.generation == toGeneration) {
            to.onChunk(from.id, p.requestId, p.chunk, p.bad, p.bytes, now);
            reschedule(to);
          }
        });
  }

  @Override
  public SnapshotModel snapshot(ChunkId root) {
    return snapshots.get(root);
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
    if (gossipMode) {
      return null;
    }
    List<PeerChoice.Candidate> out = new ArrayList<>();
    TreeMap<NodeId, Boolean> h = converged.get(root);
    if (h != null) {
      for (Map.Entry<NodeId, Boolean> e : h.entrySet()) {
        out.add(new PeerChoice.Candidate(e.getKey(), e.getValue()));
      }
    }
    return out;
  }

  @Override
  public List<NodeId> partialArrivals(ChunkId root) {
    return gossipMode ? null : arrivals.getOrDefault(root, List.of());
  }

  @Override
  public boolean isUp(NodeId id) {
    SimNode n = byId.get(id);
    return n != null && n.up;
  }

  @Override
  public void catalogPut(SimNode n, SnapshotModel snap, boolean complete) {
    if (gossipMode) {
      return;
    }
    long delay = (long) (disseminationRounds(nodes.size()) * gossipConfig.gossipIntervalNanos());
    at(
        now + (complete && n.index < s.seeders() && now == 0 ? 0 : delay),
        () -> {
          TreeMap<NodeId, Boolean> h = converged.computeIfAbsent(snap.root, k -> new TreeMap<>());
          boolean announced = h.containsValue(true);
          if (h.put(n.id, complete) == null && !complete) {
            // Fetchers see the list grow at their next tick; no need to tell each one.
            arrivals.computeIfAbsent(snap.root, k -> new ArrayList<>()).add(n.id);
          }
          if (!complete) {
            return;
          }
          for (SimNode other : nodes) {
            // The first complete holder announces the winner to all; later ones matter to
            // fetchers only.
            if (other.up && other != n && (!announced || other.fetches.containsKey(snap.root))) {
              other.onConvergedHolder(n.id, snap, true, now);
              reschedule(other);
            }
          }
        });
  }

  @Override
  public void winnerLearned(SimNode n, ChunkId root, long nowNanos) {
    if (target != null && root.equals(target.root)) {
      learnedTarget.put(n.index, nowNanos);
    }
  }

  @Override
  public void fetchCompleted(SimNode n, SnapshotModel snap, long nowNanos) {
    if (snap == target && n.index >= s.seeders()) {
      completedAt.put(n.index, (nowNanos - publishNanos(snap)) / 1e9);
    }
  }

  @Override
  public void chunkStored(SimNode n, int chunk, boolean corrupt) {
    if (corrupt) {
      violations.add(
          "node "
              + n.index
              + " stored chunk "
              + universe.id(chunk).toShortHex()
              + " with bad bytes");
    }
  }

  @Override
  public void badChunk(SimNode n, NodeId from) {
    trace = Mix.fold(trace, 0xBADL + n.index);
    chunksRejected++;
  }

  @Override
  public void peerBanned(SimNode n, NodeId peer) {
    trace = Mix.fold(trace, 0xBA2L + n.index);
    peersBanned++;
  }

  // ---------------------------------------------------------------- sampling and checks

  private void sample(Progress progress) {
    samples++;
    int followers = 0;
    int complete = 0;
    int live = 0;
    int agree = 0;
    for (SimNode n : nodes) {
      if (!n.up) {
        continue;
      }
      live++;
    }
    for (SimNode n : nodes) {
      if (!n.up) {
        continue;
      }
      if (s.follow() && target != null) {
        followers++;
        complete += n.holdsComplete(target) ? 1 : 0;
      }
      agree += agrees(n, live) ? 1 : 0;
    }
    double completeShare = followers == 0 ? 1 : complete / (double) followers;
    double agreeShare = live == 0 ? 0 : agree / (double) live;
    if (samples % timelineStride == 0) {
      timeline.add(new SimResult.Sample(now / 1e9, completeShare, agreeShare, net.isPartitioned()));
    }
    if (samples % (1_000_000_000L / SAMPLE_NANOS) == 0 && progress != null) {
      progress.onProgress(now / 1e9, completeShare, agreeShare, events);
    }
    boolean allIn = completeShare == 1 && agreeShare == 1 && !net.isPartitioned();
    // The sampled agreement counts suspects as members; confirm with every member's state (O(N^2),
    // so only when the cheap check already passes).
    if (allIn && now >= lastDisruptionNanos && membershipViolations(live).isEmpty()) {
      convergedAtNanos = now;
      stopped = true;
      return;
    }
    at(now + SAMPLE_NANOS, () -> sample(progress));
  }

  /** Whether node {@code n} sees exactly the live members and the expected winner of each name. */
  private boolean agrees(SimNode n, int live) {
    if (gossipMode && n.gossip.reachableMembers() != live) {
      return false;
    }
    for (SnapshotModel w : expectedWinners.values()) {
      var known = n.knownWinners.get(w.name);
      if (known == null || !known.root().equals(w.root)) {
        return false;
      }
    }
    return true;
  }

  /** Live nodes that do not see exactly the live members as alive. */
  private List<String> membershipViolations(int live) {
    List<String> out = new ArrayList<>();
    if (!gossipMode) {
      return out;
    }
    for (SimNode n : nodes) {
      if (!n.up) {
        continue;
      }
      long alive = 0;
      for (io.shoal.gossip.MemberView m : n.gossip.members()) {
        SimNode other = byId.get(m.id());
        if (m.state() == io.shoal.gossip.MemberState.ALIVE && other != null && other.up) {
          alive++;
        }
      }
      if (alive != live || n.gossip.reachableMembers() != live) {
        out.add("node " + n.index + " sees " + alive + " of " + live + " live members as alive");
      }
    }
    return out;
  }

  private void checkInvariants() {
    int live = 0;
    for (SimNode n : nodes) {
      live += n.up ? 1 : 0;
    }
    if (convergedAtNanos >= 0) {
      violations.addAll(membershipViolations(live));
    }
    Object firstWinners = null;
    for (SimNode n : nodes) {
      if (n.up && gossipMode && convergedAtNanos >= 0) {
        Map<String, String> w = new TreeMap<>();
        n.gossip.winners().forEach((name, x) -> w.put(name, x.version() + "/" + x.root()));
        if (firstWinners == null) {
          firstWinners = w;
        } else if (!firstWinners.equals(w)) {
          violations.add("node " + n.index + " disagrees on the winners: " + w);
        }
      }
      for (var e : n.catalog.entrySet()) {
        for (var v : e.getValue().values()) {
          SnapshotModel snap = snapshots.get(v.root());
          if (v.complete() && snap != null && real != null && !real.readsBack(n.store, snap)) {
            violations.add(
                "node "
                    + n.index
                    + " reads "
                    + snap.name
                    + "@"
                    + snap.version
                    + " back differently from what was published");
          }
          if (v.complete() && snap != null && !holdsAll(n, snap)) {
            violations.add(
                "node "
                    + n.index
                    + " lists "
                    + snap.name
                    + "@"
                    + snap.version
                    + " complete without all its chunks");
          }
        }
      }
    }
  }

  private static boolean holdsAll(SimNode n, SnapshotModel snap) {
    for (int c : snap.metadata) {
      if (!n.held.get(c)) {
        return false;
      }
    }
    for (int c : snap.leaves) {
      if (!n.held.get(c)) {
        return false;
      }
    }
    return true;
  }

  private SimResult result() {
    boolean ok = convergedAtNanos >= 0;
    List<Double> times = new ArrayList<>(completedAt.values());
    times.sort(Double::compare);
    int expected = 0;
    if (s.follow() && !s.kind().equals("partition-heal")) {
      for (SimNode n : nodes) {
        expected += n.index >= s.seeders() && n.up ? 1 : 0;
      }
    }
    SimResult.Percentiles pct =
        new SimResult.Percentiles(
            times.size(),
            expected,
            quantile(times, 0.50),
            quantile(times, 0.90),
            quantile(times, 0.99),
            quantile(times, 0.999),
            times.isEmpty() ? 0 : times.get(times.size() - 1));
    double bound = s.kind().equals("swarm-join") ? kumarRossSeconds() : 0;
    double ratio = bound > 0 && !times.isEmpty() ? pct.max() / bound : 0;
    List<SimResult.Upload> uploads = new ArrayList<>();
    for (SimNode n : nodes) {
      uploads.add(new SimResult.Upload(n.index, n.uploadedBytes, n.index < s.seeders()));
    }
    long changed = 0;
    long recoveryFetched = 0;
    if (recovering != null) {
      SnapshotModel v1 = snapshots.values().stream().filter(x -> x.version == 1).findFirst().get();
      java.util.BitSet old = new java.util.BitSet();
      for (int c : v1.leaves) {
        old.set(c);
      }
      for (int c : target.leaves) {
        changed += old.get(c) ? 0 : universe.size(c);
      }
      recoveryFetched = recovering.fetchedBytes - recoveringFetchedAtRestart;
    }
    return new SimResult(
        s,
        ok,
        ok ? (convergedAtNanos - referenceNanos) / 1e9 : -1,
        referenceEvent,
        now / 1e9,
        events,
        String.format("%016x", trace),
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
        uploads,
        violations,
        Scenarios.replayCommand(s));
  }

  /**
   * The fluid lower bound of Kumar and Ross for one file of F bytes from seeders to N others: T >=
   * max(F/u_s, F/d_min, N*F/(u_s + sum of u_i)).
   */
  double kumarRossSeconds() {
    double f = target.bytes;
    double seedUp = 0;
    double othersUp = 0;
    double minDown = Double.MAX_VALUE;
    int n = 0;
    for (SimNode node : nodes) {
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

  private double disseminationSeconds() {
    long last = 0;
    for (SimNode n : nodes) {
      if (n.up) {
        Long t = learnedTarget.get(n.index);
        if (t == null) {
          return -1;
        }
        last = Math.max(last, t);
      }
    }
    return (last - publishNanos(target)) / 1e9;
  }

  private long usefulBytes() {
    long useful = 0;
    for (SimNode n : nodes) {
      useful += n.usefulBytes;
    }
    return useful;
  }

  private static double quantile(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  // ---------------------------------------------------------------- helpers

  private long publishNanos(SnapshotModel snap) {
    return publishedAt.getOrDefault(snap.root, 0L);
  }

  private double estimatedTransferSeconds() {
    return s.snapshotBytes() / (s.seederUploadMBps() * 1e6) * 2;
  }

  private long spread() {
    return (long) (random.nextDouble() * s.joinSpreadSeconds() * 1e9);
  }

  /** Starts {@code n} at {@code t}: the swarm has not converged before every node is up. */
  private void startAt(long t, SimNode n) {
    at(t, () -> startNode(n));
    disruptionAt(t);
  }

  private void disruptionAt(long t) {
    lastDisruptionNanos = Math.max(lastDisruptionNanos, t);
  }

  private void at(long t, Runnable action) {
    queue.add(new Event(t, seq++, action));
  }

  private static long nanos(double seconds) {
    return (long) (seconds * 1e9);
  }
}
