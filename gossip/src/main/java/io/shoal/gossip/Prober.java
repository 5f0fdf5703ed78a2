package io.shoal.gossip;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * SWIM's failure detector: probes members round-robin in a shuffled order (so every member is
 * probed within a bounded time), falls back to indirect probes through other members, and relays
 * probes for others. Not thread-safe.
 */
final class Prober {
  /** The probe in flight. */
  static final class Probe {
    final NodeId target;
    final long seq;
    final long indirectAtNanos;
    boolean indirectSent;
    int nacksExpected;
    int nacksReceived;

    Probe(NodeId target, long seq, long indirectAtNanos) {
      this.target = target;
      this.seq = seq;
      this.indirectAtNanos = indirectAtNanos;
    }
  }

  /** A probe we run for another member. */
  record Relay(
      NodeId requester, Endpoint requesterAddress, long requesterSeq, long deadlineNanos) {}

  /** Most relays in flight; more requests are refused (not answered). */
  static final int MAX_RELAYS = 256;

  private final List<NodeId> order = new ArrayList<>();
  private int next;
  private Probe current;
  private final Map<Long, Relay> relays = new HashMap<>();

  /** The next member to probe, or null if there is none. */
  NodeId nextTarget(MemberTable table, RandomGenerator random) {
    for (int attempts = 0; attempts < 2; attempts++) {
      while (next < order.size()) {
        NodeId id = order.get(next++);
        Member m = table.get(id);
        if (m != null && m.isReachable()) {
          return id;
        }
      }
      order.clear();
      order.addAll(table.reachableOthers());
      for (int i = order.size() - 1; i > 0; i--) {
        Collections.swap(order, i, random.nextInt(i + 1));
      }
      next = 0;
    }
    return null;
  }

  Probe current() {
    return current;
  }

  void start(Probe p) {
    current = p;
  }

  /** Ends the current probe and returns it. */
  Probe finish() {
    Probe p = current;
    current = null;
    return p;
  }

  boolean addRelay(long seq, Relay relay) {
    if (relays.size() >= MAX_RELAYS) {
      return false;
    }
    relays.put(seq, relay);
    return true;
  }

  Relay takeRelay(long seq) {
    return relays.remove(seq);
  }

  /** Removes and returns the relays whose deadline has passed. */
  List<Relay> expiredRelays(long nowNanos) {
    List<Relay> out = new ArrayList<>();
    List<Long> done = new ArrayList<>();
    for (Map.Entry<Long, Relay> e : relays.entrySet()) {
      if (nowNanos - e.getValue().deadlineNanos() >= 0) {
        done.add(e.getKey());
        out.add(e.getValue());
      }
    }
    Collections.sort(done);
    done.forEach(relays::remove);
    out.sort((a, b) -> Long.compare(a.requesterSeq(), b.requesterSeq()));
    return out;
  }

  /** The earliest relay deadline, or {@code Long.MAX_VALUE}. */
  long nextRelayDeadline(long nowNanos) {
    long best = Long.MAX_VALUE;
    for (Relay r : relays.values()) {
      if (best == Long.MAX_VALUE || r.deadlineNanos() - best < 0) {
        best = r.deadlineNanos();
      }
    }
    return best;
  }
}
