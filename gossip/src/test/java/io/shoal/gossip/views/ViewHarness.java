package io.shoal.gossip.views;

import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A tiny deterministic driver for {@link ViewCore}s: messages take {@link #LATENCY_NANOS}, links
 * are FIFO, a message to a crashed node comes back to its sender as a failed link, and each core's
 * timer fires at its own deadline.
 */
final class ViewHarness {
  static final long LATENCY_NANOS = 20_000_000L;

  private record Event(long at, long seq, int to, NodeId from, ViewMessage message) {}

  final List<ViewCore> cores = new ArrayList<>();
  final List<Boolean> up = new ArrayList<>();
  final List<List<Long>> delivered = new ArrayList<>();
  private final PriorityQueue<Event> queue =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private final long[] tickAt;
  private final SplittableRandom random;
  private final ViewConfig config;
  private long seq;
  long now = 1_000_000_000_000L;
  long sent;

  ViewHarness(int nodes, long seed, ViewConfig config) {
    this.random = new SplittableRandom(seed);
    this.config = config;
    this.tickAt = new long[nodes];
    for (int i = 0; i < nodes; i++) {
      cores.add(new ViewCore(config, id(i), random.split(), now));
      up.add(true);
      delivered.add(new ArrayList<>());
      tickAt[i] = cores.get(i).nextDeadlineNanos();
    }
  }

  static NodeId id(int i) {
    return new NodeId(7, i);
  }

  /** Every node but the first joins through a random earlier one, one per 100 ms. */
  void joinAll() {
    for (int i = 1; i < cores.size(); i++) {
      cores.get(i).join(id(random.nextInt(i)));
      drain(i);
      run(100_000_000L);
    }
  }

  void crash(int i) {
    up.set(i, false);
    for (NodeId p : cores.get(i).activeView()) {
      cores.get((int) p.low()).onPeerFailed(id(i), now);
      drain((int) p.low());
    }
  }

  /** Plays events and timers for {@code nanos} of virtual time. */
  void run(long nanos) {
    long end = now + nanos;
    while (true) {
      int next = -1;
      for (int i = 0; i < cores.size(); i++) {
        if (up.get(i) && (next < 0 || tickAt[i] < tickAt[next])) {
          next = i;
        }
      }
      Event e = queue.peek();
      long t =
          Math.min(e == null ? Long.MAX_VALUE : e.at, next < 0 ? Long.MAX_VALUE : tickAt[next]);
      if (t > end) {
        now = end;
        return;
      }
      now = t;
      if (e != null && e.at == t) {
        queue.poll();
        deliver(e);
      } else {
        cores.get(next).onTick(now);
        drain(next);
      }
    }
  }

  private void deliver(Event e) {
    if (!up.get(e.to)) {
      int sender = (int) e.from.low();
      if (up.get(sender)) {
        cores.get(sender).onPeerFailed(id(e.to), now);
        drain(sender);
      }
      return;
    }
    cores.get(e.to).onMessage(e.from, e.message, now);
    drain(e.to);
  }

  void drain(int i) {
    ViewCore c = cores.get(i);
    for (ViewSend s = c.pollSend(); s != null; s = c.pollSend()) {
      sent++;
      queue.add(new Event(now + LATENCY_NANOS, seq++, (int) s.to().low(), id(i), s.message()));
    }
    for (Delivery d = c.pollDelivery(); d != null; d = c.pollDelivery()) {
      delivered.get(i).add(d.id());
    }
    tickAt[i] = c.nextDeadlineNanos();
  }

  /** Whether the live nodes' active links connect them all. */
  boolean connected() {
    int n = cores.size();
    boolean[] seen = new boolean[n];
    int start = up.indexOf(true);
    List<Integer> stack = new ArrayList<>(List.of(start));
    seen[start] = true;
    int reached = 1;
    while (!stack.isEmpty()) {
      int i = stack.remove(stack.size() - 1);
      for (NodeId p : cores.get(i).activeView()) {
        int j = (int) p.low();
        if (up.get(j) && !seen[j]) {
          seen[j] = true;
          reached++;
          stack.add(j);
        }
      }
    }
    return reached == up.stream().filter(b -> b).count();
  }

  ViewConfig config() {
    return config;
  }
}
