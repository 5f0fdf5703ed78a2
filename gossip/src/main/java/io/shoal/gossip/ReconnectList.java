package io.shoal.gossip;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Where to look for members the cluster lost: the configured seeds, plus every member declared
 * dead, kept for hours. Each entry is retried with a push-pull sync on its own exponential backoff
 * (with jitter), so two halves of a partition that declared each other dead find each other again
 * once the network heals, however long the partition lasted. Members that left on purpose are not
 * retried. Not thread-safe.
 */
final class ReconnectList {
  /** A place to retry. */
  static final class Entry {
    final NodeId id; // null for a seed
    final Endpoint address;
    final long addedNanos;
    long nextAttemptNanos;
    int failures;

    Entry(NodeId id, Endpoint address, long addedNanos) {
      this.id = id;
      this.address = address;
      this.addedNanos = addedNanos;
      this.nextAttemptNanos = addedNanos;
    }
  }

  private final List<Entry> seeds = new ArrayList<>();
  private final LinkedHashMap<NodeId, Entry> dead = new LinkedHashMap<>();
  private final GossipConfig config;

  ReconnectList(GossipConfig config) {
    this.config = config;
  }

  void addSeed(Endpoint address, long nowNanos) {
    for (Entry e : seeds) {
      if (e.address.equals(address)) {
        return;
      }
    }
    seeds.add(new Entry(null, address, nowNanos));
  }

  void addDead(NodeId id, Endpoint address, long nowNanos) {
    dead.remove(id);
    if (dead.size() >= GossipConfig.MAX_RECONNECT_ENTRIES) {
      NodeId oldest = dead.keySet().iterator().next();
      dead.remove(oldest);
    }
    Entry e = new Entry(id, address, nowNanos);
    e.nextAttemptNanos = nowNanos + config.reconnectIntervalNanos();
    dead.put(id, e);
  }

  void remove(NodeId id) {
    dead.remove(id);
  }

  /** Resets the backoff of a seed we heard from. */
  void heardFrom(Endpoint address) {
    for (Entry e : seeds) {
      if (e.address.equals(address)) {
        e.failures = 0;
      }
    }
  }

  /**
   * The entry to try now, or null; its backoff advances. Seeds whose address a reachable member
   * already has are skipped: they are in the cluster.
   */
  Entry nextDue(
      long nowNanos, java.util.function.Predicate<Endpoint> isReachable, RandomGenerator random) {
    expire(nowNanos);
    Entry best = null;
    for (Entry e : seeds) {
      if (!isReachable.test(e.address) && due(e, nowNanos) && earlier(e, best)) {
        best = e;
      }
    }
    for (Entry e : dead.values()) {
      if (due(e, nowNanos) && earlier(e, best)) {
        best = e;
      }
    }
    if (best != null) {
      long backoff =
          GossipMath.backoffNanos(
              config.reconnectIntervalNanos(), config.reconnectMaxBackoffNanos(), best.failures);
      long jitter = backoff <= 1 ? 0 : random.nextLong(backoff / 2);
      best.nextAttemptNanos = nowNanos + backoff / 2 + jitter;
      best.failures++;
    }
    return best;
  }

  private static boolean due(Entry e, long nowNanos) {
    return nowNanos - e.nextAttemptNanos >= 0;
  }

  private static boolean earlier(Entry e, Entry best) {
    return best == null || e.nextAttemptNanos - best.nextAttemptNanos < 0;
  }

  private void expire(long nowNanos) {
    dead.values().removeIf(e -> nowNanos - e.addedNanos >= config.reconnectExpiryNanos());
  }

  boolean isEmpty() {
    return seeds.isEmpty() && dead.isEmpty();
  }

  int deadSize() {
    return dead.size();
  }

  /** The ids on the list, oldest first. */
  List<NodeId> deadIds() {
    return new ArrayList<>(dead.keySet());
  }

  Map<NodeId, Entry> deadEntries() {
    return dead;
  }
}
