package io.shoal.node;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.shoal.gossip.GossipCore;
import io.shoal.gossip.MemberState;
import io.shoal.gossip.MemberView;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Winners;
import io.shoal.node.net.NodeMetrics;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Gauges over the membership: members by state ({@code shoal_gossip_members{state}}, this node
 * included), and the winning snapshots this node does not hold complete ({@code
 * shoal_catalog_entries_not_held}). Counting walks every member and catalog, so it runs on the
 * gossip loop at most every {@link #REFRESH_MILLIS}; scrapes, on any thread, read the last count.
 */
final class SwarmGauges {
  /** Time between two counts, at least: a scrape sees values up to this old. */
  static final long REFRESH_MILLIS = 1000;

  private static final long REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(REFRESH_MILLIS);

  private final NodeId self;
  private volatile Map<MemberState, Integer> byState = Map.of();
  private volatile int notHeld;
  private boolean counted;
  private long countedNanos;

  SwarmGauges(NodeId self, NodeMetrics metrics) {
    this.self = self;
    GaugeWithCallback.builder()
        .name("shoal_gossip_members")
        .help("Members this node knows, itself included, by state (alive, suspect, dead, left)")
        .labelNames("state")
        .callback(
            cb -> {
              Map<MemberState, Integer> counts = byState;
              for (MemberState s : MemberState.values()) {
                cb.call(counts.getOrDefault(s, 0), s.name().toLowerCase(Locale.ROOT));
              }
            })
        .register(metrics.registry());
    metrics.gauge(
        "shoal_catalog_entries_not_held",
        "Names whose winning version the swarm announces and this node does not hold complete",
        () -> notHeld);
  }

  /** Counts again from {@code core} if the last count is older than {@link #REFRESH_MILLIS}. */
  void refresh(GossipCore core, long nowNanos) {
    if (counted && nowNanos - countedNanos < REFRESH_NANOS) {
      return;
    }
    counted = true;
    countedNanos = nowNanos;
    byState = countByState(core.members());
    notHeld = notHeld(core.winners().values(), self);
  }

  /** Members per state; a state no member is in is absent. */
  static Map<MemberState, Integer> countByState(Collection<MemberView> members) {
    Map<MemberState, Integer> out = new EnumMap<>(MemberState.class);
    for (MemberView m : members) {
      out.merge(m.state(), 1, Integer::sum);
    }
    return Collections.unmodifiableMap(out);
  }

  /** The winners {@code self} is not a complete holder of. */
  static int notHeld(Collection<Winners.Winner> winners, NodeId self) {
    int n = 0;
    for (Winners.Winner w : winners) {
      if (!w.completeHolders().contains(self)) {
        n++;
      }
    }
    return n;
  }
}
