package io.shoal.sim;

import io.shoal.gossip.NodeId;
import io.shoal.gossip.views.Delivery;
import io.shoal.gossip.views.ViewConfig;
import io.shoal.gossip.views.ViewCore;
import io.shoal.gossip.views.ViewMessage;
import io.shoal.gossip.views.ViewSend;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One deterministic {@code membership-views} run ({@link ViewScenario}): every node runs the real
 * partial-view core ({@link ViewCore}: HyParView membership, Plumtree broadcast) over TCP-like
 * links with virtual time. Events are ordered by time, then by the order they were scheduled; every
 * generator is split from the seed, and every processed event is folded into the trace hash.
 *
 * <p>Built for scale: events live in primitive arrays ({@link ViewEvents}), a node's core is made
 * when it starts and dropped when it crashes, and who delivered what is one bit per node and
 * broadcast. Single-threaded and not reusable: construct, {@link #run}, read the result.
 */
public final class ViewSimulation {
  static final int MSG = 0;
  static final int TICK = 1;
  static final int START = 2;
  static final int BROADCAST = 3;
  static final int CRASH = 4;
  static final int FAILED = 5;

  private static final long NANOS = 1_000_000_000L;
  private static final long NODE_ID_HIGH = 0x5EEDL;

  private final ViewScenario s;
  private final ViewConfig config;
  private final SplittableRandom random;
  private final long linkSeed;
  private final ViewEvents events = new ViewEvents();
  private final TraceHash trace = new TraceHash();
  private final ViewCost cost = new ViewCost();
  private final NodeId[] ids;
  private final ViewCore[] cores;
  private final boolean[] up;
  private final long[] startedAt;
  private final long[] crashedAt;
  private final long[] tickAt;
  private final long[] broadcastAt;
  private final long[] lastDeliveryAt;
  private final long[][] delivered;
  private final long endNanos;
  private long processed;
  private int broadcastsStarted;

  public ViewSimulation(ViewScenario scenario) {
    this.s = scenario;
    this.config = ViewConfig.defaults().withActiveViewSize(scenario.activeViewSize());
    this.random = new SplittableRandom(scenario.seed());
    this.linkSeed = random.nextLong();
    int n = scenario.nodes();
    ids = new NodeId[n];
    for (int i = 0; i < n; i++) {
      ids[i] = new NodeId(NODE_ID_HIGH, i);
    }
    cores = new ViewCore[n];
    up = new boolean[n];
    startedAt = new long[n];
    crashedAt = new long[n];
    Arrays.fill(crashedAt, -1);
    tickAt = new long[n];
    Arrays.fill(tickAt, Long.MAX_VALUE);
    int b = scenario.broadcasts();
    broadcastAt = new long[b];
    lastDeliveryAt = new long[b];
    delivered = new long[b][];
    long windowStart = nanos(scenario.joinSpreadSeconds() + scenario.settleSeconds());
    long window = nanos(scenario.broadcastSpreadSeconds());
    endNanos = windowStart + window + nanos(scenario.drainSeconds());
  }

  /** Plays the scenario to its end. */
  public ViewResult run() {
    schedule();
    while (events.poll()) {
      if (events.time > endNanos) {
        break;
      }
      if (events.kind == TICK && tickAt[events.to] != events.time) {
        continue; // superseded by an earlier deadline, or the node crashed
      }
      processed++;
      trace.fold(events.time);
      trace.fold(((long) events.kind << 48) ^ ((long) events.to << 24) ^ events.from);
      dispatch();
    }
    return new ViewReport(s, cores, up, ids, startedAt, crashedAt, endNanos)
        .build(
            trace.hex(),
            processed,
            cost,
            broadcastsStarted,
            broadcastAt,
            lastDeliveryAt,
            delivered);
  }

  /** The joins, the broadcasts and the crashes, drawn from the seed in that order. */
  private void schedule() {
    int n = s.nodes();
    long spread = nanos(s.joinSpreadSeconds());
    for (int i = 0; i < n; i++) {
      int contact = i == 0 ? 0 : random.nextInt(i);
      events.add(spread * i / n, START, i, contact, null);
    }
    long windowStart = nanos(s.joinSpreadSeconds() + s.settleSeconds());
    long window = Math.max(1, nanos(s.broadcastSpreadSeconds()));
    for (int b = 0; b < s.broadcasts(); b++) {
      events.add(windowStart + random.nextLong(window), BROADCAST, 0, b, null);
    }
    int crashes = (int) Math.round(n * s.crashFraction());
    for (int c = 0; c < crashes; c++) {
      events.add(windowStart + random.nextLong(window), CRASH, random.nextInt(n), 0, null);
    }
  }

  private void dispatch() {
    long now = events.time;
    int to = events.to;
    int from = events.from;
    switch (events.kind) {
      case MSG -> {
        if (!up[to]) {
          if (up[from]) {
            events.add(now + latencyNanos(to, from), FAILED, from, to, null);
          }
          return;
        }
        cores[to].onMessage(ids[from], (ViewMessage) events.message, now);
      }
      case TICK -> {
        tickAt[to] = Long.MAX_VALUE;
        cores[to].onTick(now);
      }
      case START -> start(to, from, now);
      case BROADCAST -> to = broadcast(from, now);
      case CRASH -> {
        crash(to, now);
        return;
      }
      default -> {
        if (!up[to]) {
          return;
        }
        cores[to].onPeerFailed(ids[from], now);
      }
    }
    if (to >= 0) {
      drain(to, now);
    }
  }

  private void start(int i, int contact, long now) {
    cores[i] = new ViewCore(config, ids[i], new SplittableRandom(Mix.fold(s.seed(), i)), now);
    up[i] = true;
    startedAt[i] = now;
    if (i != contact) {
      cores[i].join(ids[contact]);
    }
  }

  /** Starts broadcast {@code b} at a random live node; returns that node, or -1 if none is up. */
  private int broadcast(int b, long now) {
    int n = s.nodes();
    int origin = random.nextInt(n);
    for (int k = 0; k < n && !up[origin]; k++) {
      origin = (origin + 1) % n;
    }
    if (!up[origin]) {
      return -1;
    }
    byte[] payload = new byte[s.payloadBytes()];
    payload[0] = (byte) b;
    delivered[b] = new long[(n + 63) >>> 6];
    broadcastAt[b] = now;
    lastDeliveryAt[b] = now;
    broadcastsStarted = Math.max(broadcastsStarted, b + 1);
    markDelivered(b, origin, now);
    cores[origin].broadcast(b + 1L, payload, now);
    return origin;
  }

  /** The node stops; the other ends of its links see them reset after one link latency. */
  private void crash(int i, long now) {
    if (!up[i]) {
      return;
    }
    up[i] = false;
    crashedAt[i] = now;
    ViewCore core = cores[i];
    for (int slot = 0; slot < core.activeSize(); slot++) {
      int peer = index(core.activePeer(slot));
      events.add(now + latencyNanos(i, peer), FAILED, peer, i, null);
    }
    cores[i] = null;
    tickAt[i] = Long.MAX_VALUE;
  }

  /** Sends what node {@code i}'s core wants sent, records its deliveries, re-arms its timer. */
  private void drain(int i, long now) {
    ViewCore core = cores[i];
    for (ViewSend out = core.pollSend(); out != null; out = core.pollSend()) {
      int to = index(out.to());
      cost.count(out.message());
      events.add(now + latencyNanos(i, to), MSG, to, i, out.message());
    }
    for (Delivery d = core.pollDelivery(); d != null; d = core.pollDelivery()) {
      markDelivered((int) (d.id() - 1), i, now);
    }
    long next = core.nextDeadlineNanos();
    if (next < tickAt[i]) {
      tickAt[i] = Math.max(next, now);
      events.add(tickAt[i], TICK, i, 0, null);
    }
  }

  private void markDelivered(int b, int node, long now) {
    delivered[b][node >>> 6] |= 1L << node;
    lastDeliveryAt[b] = Math.max(lastDeliveryAt[b], now);
  }

  /** The one-way latency of the link between {@code a} and {@code b}, the same both ways. */
  private long latencyNanos(int a, int b) {
    long lo = Math.min(a, b);
    long hi = Math.max(a, b);
    long minNs = (long) (s.latencyMinMs() * 1e6);
    long range = (long) ((s.latencyMaxMs() - s.latencyMinMs()) * 1e6) + 1;
    return minNs + Long.remainderUnsigned(Mix.mix(linkSeed ^ (lo << 32 | hi)), range);
  }

  private int index(NodeId id) {
    if (id.high() != NODE_ID_HIGH || id.low() < 0 || id.low() >= ids.length) {
      throw new IllegalStateException("a core addressed an unknown node " + id);
    }
    return (int) id.low();
  }

  private static long nanos(double seconds) {
    return (long) (seconds * NANOS);
  }
}
