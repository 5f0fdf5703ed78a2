package io.shoal.sim;

import io.shoal.chunkstore.ChunkStore;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipConfig;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.TransferConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulated nodes and their life cycle: a node is added with its link capacities drawn from the
 * scenario's classes, started (on its address, joining through node 0), crashed (losing its memory
 * and its flows, keeping its store) and restarted, possibly on a new address. Crashes, restarts and
 * joins are kept as marks for the report's timeline. Not thread-safe.
 */
final class Cluster {
  /** Most crash, restart and join marks kept for the report; later ones are not recorded. */
  static final int MAX_MARKS = 10_000;

  private final Scenario s;
  private final World world;
  private final SplittableRandom nodeSeeds;
  private final GossipConfig gossipConfig;
  private final TransferConfig transferConfig;
  private final boolean gossipMode;
  private final Flows flows;
  private final RealPayload real;
  private final EventQueue queue;
  private final NodeTimers timers;
  private final TraceHash trace;
  private final ConvergedDirectory directory;
  private final PublishedSnapshots published;
  private final List<SimNode> nodes = new ArrayList<>();
  private final List<SimNode> nodesView = Collections.unmodifiableList(nodes);
  private final Map<NodeId, SimNode> byId = new HashMap<>();
  private final Map<Endpoint, SimNode> byAddress = new HashMap<>();
  private final List<SimResult.Mark> marks = new ArrayList<>();

  /**
   * @param world what the nodes ask of the simulation
   * @param nodeSeeds split once per node, in the order nodes are added
   * @param real real payloads (each node gets an in-memory store), or null for virtual ones
   */
  Cluster(
      Scenario s,
      World world,
      SplittableRandom nodeSeeds,
      GossipConfig gossipConfig,
      TransferConfig transferConfig,
      boolean gossipMode,
      Flows flows,
      RealPayload real,
      EventQueue queue,
      NodeTimers timers,
      TraceHash trace,
      ConvergedDirectory directory,
      PublishedSnapshots published) {
    this.s = s;
    this.world = world;
    this.nodeSeeds = nodeSeeds;
    this.gossipConfig = gossipConfig;
    this.transferConfig = transferConfig;
    this.gossipMode = gossipMode;
    this.flows = flows;
    this.real = real;
    this.queue = queue;
    this.timers = timers;
    this.trace = trace;
    this.directory = directory;
    this.published = published;
  }

  /** Every node ever added, in index order (a live, read-only view). */
  List<SimNode> nodes() {
    return nodesView;
  }

  SimNode get(int index) {
    return nodes.get(index);
  }

  /** The node with {@code id}, or null. */
  SimNode byId(NodeId id) {
    return byId.get(id);
  }

  /** The running node at {@code address}, or null. */
  SimNode byAddress(Endpoint address) {
    return byAddress.get(address);
  }

  boolean isUp(NodeId id) {
    SimNode n = byId.get(id);
    return n != null && n.up;
  }

  /** Adds a node (not started) with its id, address and link capacities. */
  SimNode add() {
    int i = nodes.size();
    SplittableRandom r = nodeSeeds.split();
    NodeId id = new NodeId(r.nextLong(), r.nextLong());
    SimNode n = new SimNode(i, id, address(i, 0), world, gossipConfig, transferConfig, r.split());
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
    n.store = real == null ? null : ChunkStore.inMemory(RealPayload.STORE_CAPACITY_BYTES);
    flows.setCapacity(i, upBps, downBps);
    if (s.zones() > 0) {
      flows.setZone(i, s.zoneOf(i), s.zones(), s.interZoneFactor());
      n.zone = s.zoneName(i);
    }
    nodes.add(n);
    byId.put(id, n);
    return n;
  }

  /** Indexes of the nodes present at the start that are not seeders, in order. */
  List<Integer> nonSeeders() {
    List<Integer> out = new ArrayList<>();
    for (int i = s.seeders(); i < s.nodes(); i++) {
      out.add(i);
    }
    return out;
  }

  /** Crashes, restarts and joins so far, in time order. */
  List<SimResult.Mark> marks() {
    return List.copyOf(marks);
  }

  /**
   * Starts a node: on its address, joining through node 0 (node 0 itself joins no one). A node
   * added after the scenario's first {@code nodes} is marked as a join.
   */
  void start(SimNode n) {
    if (n.index >= s.nodes()) {
      mark("join", n);
    }
    begin(n);
  }

  private void begin(SimNode n) {
    byAddress.put(n.address, n);
    List<Endpoint> seeds = n.index == 0 ? List.of() : List.of(nodes.get(0).address);
    n.start(seeds, gossipMode, queue.now());
    directory.greet(n, nodes.get(0).id, published.expectedWinners());
    timers.reschedule(n);
  }

  /** Crashes a running node: its flows stop and its memory and pending timer are lost. */
  void crash(SimNode n) {
    if (!n.up) {
      return;
    }
    trace.fold(0xC7A5L + n.index);
    mark("crash", n);
    flows.dropNode(n.index, queue.now());
    n.crash();
    byAddress.remove(n.address);
    timers.cancel(n);
  }

  /** Restarts a crashed node, on the next port of its host when {@code newAddress}. */
  void restart(SimNode n, boolean newAddress) {
    if (n.up) {
      return;
    }
    if (newAddress) {
      n.address = new Endpoint(n.address.host(), n.address.port() + 1);
    }
    mark("restart", n);
    begin(n);
  }

  private void mark(String kind, SimNode n) {
    if (marks.size() < MAX_MARKS) {
      marks.add(new SimResult.Mark(queue.now() / 1e9, kind, n.index));
    }
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
}
