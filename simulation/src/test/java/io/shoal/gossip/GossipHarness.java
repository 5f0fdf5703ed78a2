package io.shoal.gossip;

import io.shoal.sim.EventQueue;
import io.shoal.testing.FakeClock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiPredicate;

/**
 * Drives gossip cores through the shared {@link GossipPump} on the simulator's {@link EventQueue}:
 * messages arrive after a fixed latency unless a partition or a crash drops them, and each node's
 * one alarm is an event on the same queue. Deterministic for a seed. The cores see the queue's
 * virtual time offset by a {@link FakeClock}'s random start, so wrap-around bugs still show. Test
 * fixture; the simulator proper adds link capacities, loss and the transfer session on the same
 * queue.
 */
final class GossipHarness {
  static final long LATENCY_NANOS = 2_000_000;

  final FakeClock clock;
  final GossipConfig config;
  private final SplittableRandom seeds;
  private final TreeMap<NodeId, Node> nodes = new TreeMap<>();
  private final EventQueue queue = new EventQueue();

  /** The cores' time at the queue's time zero. */
  private final long origin;

  private final List<String> log = new ArrayList<>();
  private BiPredicate<Node, Node> blocked = (a, b) -> false;
  private java.util.function.Function<NodeId, ClaimAuthority> authorities =
      id -> ClaimAuthority.unsigned();
  long messagesSent;

  /** One simulated node. */
  static final class Node {
    final NodeId id;
    Endpoint address;
    GossipCore core;
    GossipPump pump;

    /** Counts the pump's arms: a queued alarm fires only if no later arm replaced it. */
    long alarmSeq;

    ClaimAuthority authority;
    boolean up = true;
    final List<GossipEvent> events = new ArrayList<>();

    Node(NodeId id, Endpoint address) {
      this.id = id;
      this.address = address;
    }
  }

  GossipHarness(GossipConfig config, long seed) {
    this.config = config;
    this.seeds = new SplittableRandom(seed);
    this.clock = new FakeClock(seed);
    this.origin = clock.nowNanos();
  }

  static NodeId id(int i) {
    return new NodeId(0x5000_0000_0000_0000L + i, i);
  }

  static Endpoint address(int i, int port) {
    return new Endpoint("10.0." + (i / 250) + "." + (i % 250 + 1), port);
  }

  Node add(int i) {
    return add(id(i), address(i, 7420), 1);
  }

  Node add(NodeId id, Endpoint address, long generation) {
    Node n = nodes.computeIfAbsent(id, k -> new Node(id, address));
    n.address = address;
    n.up = true;
    n.authority = authorities.apply(id);
    n.core =
        new GossipCore(
            config,
            id,
            address,
            generation,
            n.authority,
            new SplittableRandom(seeds.nextLong()),
            clock.nowNanos());
    n.pump =
        new GossipPump(
            n.core,
            o -> send(n, o),
            deadline -> arm(n, deadline),
            e -> {
              n.events.add(e);
              log.add(clock.nowNanos() + " " + n.id.shortHex() + " " + e);
            },
            GossipPump.Failures.rethrow());
    n.pump.run("a start", c -> {}); // arms the first timer
    return n;
  }

  /** Which authority each node added from now on signs and checks with. */
  GossipHarness signingWith(java.util.function.Function<NodeId, ClaimAuthority> authorityOf) {
    this.authorities = authorityOf;
    return this;
  }

  /** Delivers {@code message} to {@code to} as if {@code from} sent it now (for attack tests). */
  void inject(Node from, Node to, GossipMessage message) {
    to.pump.run("a message", c -> c.onMessage(from.id, from.address, message, clock.nowNanos()));
  }

  Node node(int i) {
    return nodes.get(id(i));
  }

  List<Node> nodes() {
    return new ArrayList<>(nodes.values());
  }

  List<Node> upNodes() {
    return nodes.values().stream().filter(n -> n.up).toList();
  }

  void join(Node n, Endpoint... seedAddresses) {
    n.pump.run("a join", c -> c.join(List.of(seedAddresses), clock.nowNanos()));
  }

  void leave(Node n) {
    n.pump.run("a leave", c -> c.leave(clock.nowNanos()));
  }

  void crash(Node n) {
    n.up = false;
  }

  /** Drops every message between the two sets, both ways. */
  void partition(Set<NodeId> a, Set<NodeId> b) {
    blocked =
        (x, y) -> (a.contains(x.id) && b.contains(y.id)) || (b.contains(x.id) && a.contains(y.id));
  }

  void block(BiPredicate<Node, Node> rule) {
    blocked = rule;
  }

  void heal() {
    blocked = (a, b) -> false;
  }

  void publish(Node n, String name, CatalogValue value) {
    n.pump.run("a catalog", c -> c.setCatalog(name, value, clock.nowNanos()));
  }

  /** Publishes {@code name@version} on {@code n}, signed by {@code n}, with a root from a seed. */
  void publish(Node n, String name, long version, String rootSeed) {
    publish(n, name, new CatalogValue(List.of(held(n, name, version, rootSeed))));
  }

  /** A complete version of {@code name} published and signed by {@code publisher}. */
  static HeldVersion held(Node publisher, String name, long version, String rootSeed) {
    io.shoal.chunkstore.ChunkId root = root(rootSeed);
    return new HeldVersion(
        version,
        root,
        true,
        100,
        publisher.id,
        Signature.of(publisher.authority.sign(ClaimPayloads.publication(name, version, root))));
  }

  static io.shoal.chunkstore.ChunkId root(String seed) {
    return io.shoal.chunkstore.HashAlgorithm.XXH128.hash(
        seed.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Runs virtual time forward by {@code nanos}. */
  void runFor(long nanos) {
    long end = queue.now() + nanos;
    while (queue.nextAt() <= end) {
      long at = queue.nextAt();
      queue.advanceTo(at);
      clock.advanceTo(origin + at);
      queue.runNext();
    }
    queue.advanceTo(end);
    clock.advanceTo(origin + end);
  }

  /** The pump armed {@code n}'s one timer: an event on the queue that a later arm supersedes. */
  private void arm(Node n, long deadlineNanos) {
    long seq = ++n.alarmSeq;
    long at = Math.max(queue.now(), deadlineNanos - origin);
    queue.at(
        at,
        () -> {
          if (n.up && n.alarmSeq == seq) {
            n.pump.onTimer(clock.nowNanos());
          }
        });
  }

  /** Runs until {@code done} holds or {@code limitNanos} passes; returns the time it took. */
  long runUntil(java.util.function.BooleanSupplier done, long stepNanos, long limitNanos) {
    long start = clock.nowNanos();
    while (!done.getAsBoolean()) {
      if (clock.nowNanos() - start > limitNanos) {
        throw new AssertionError(
            "condition not reached within " + limitNanos / 1e9 + " s of virtual time");
      }
      runFor(stepNanos);
    }
    return clock.nowNanos() - start;
  }

  private void deliver(Node from, Endpoint fromAddress, Endpoint toAddress, GossipMessage message) {
    Node to = null;
    for (Node n : nodes.values()) {
      if (n.up && n.address.equals(toAddress)) {
        to = n;
      }
    }
    if (to == null || !from.up || blocked.test(from, to)) {
      return;
    }
    to.pump.run("a message", c -> c.onMessage(from.id, fromAddress, message, clock.nowNanos()));
  }

  /** The pump's wire: the message arrives after the latency, unless dropped on the way. */
  private void send(Node n, Outbound o) {
    messagesSent++;
    Endpoint fromAddress = n.address;
    queue.at(queue.now() + LATENCY_NANOS, () -> deliver(n, fromAddress, o.to(), o.message()));
  }

  List<String> log() {
    return log;
  }

  /** The state {@code observer} has for {@code member}, or null if it does not know it. */
  static MemberState stateOf(Node observer, NodeId member) {
    for (MemberView v : observer.core.members()) {
      if (v.id().equals(member)) {
        return v.state();
      }
    }
    return null;
  }

  /** Whether every up node sees every up node ALIVE and nothing else as reachable. */
  boolean allAgreeOnMembers() {
    Set<NodeId> up = new HashSet<>();
    upNodes().forEach(n -> up.add(n.id));
    for (Node n : upNodes()) {
      for (NodeId other : up) {
        if (stateOf(n, other) != MemberState.ALIVE) {
          return false;
        }
      }
      for (MemberView v : n.core.members()) {
        if (!up.contains(v.id())
            && (v.state() == MemberState.ALIVE || v.state() == MemberState.SUSPECT)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether every up node computes the same winners. */
  boolean allAgreeOnWinners() {
    Object first = null;
    for (Node n : upNodes()) {
      var w = n.core.winners();
      if (first == null) {
        first = w;
      } else if (!first.equals(w)) {
        return false;
      }
    }
    return true;
  }
}
