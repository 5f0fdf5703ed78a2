package io.shoal.node;

import io.prometheus.metrics.core.metrics.Counter;
import io.shoal.node.net.NodeMetrics;

/**
 * What a node in partial-view mode exports: the sizes of its views, the view messages it received
 * by type, and what it refused by reason. Registered only in views mode, so a node running full
 * membership exports exactly what it did before. Thread-safe.
 */
final class ViewMetrics {
  private volatile int activePeers;
  private volatile int passivePeers;
  final Counter received;
  final Counter sent;
  final Counter refused;
  final Counter deliveries;
  final Counter failures;

  ViewMetrics(NodeMetrics metrics) {
    metrics.gauge(
        "shoal_views_active_peers",
        "Peers in this node's active view (the links broadcasts travel)",
        () -> activePeers);
    metrics.gauge(
        "shoal_views_passive_peers",
        "Peers in this node's passive view (known, not linked; they replace failed links)",
        () -> passivePeers);
    received =
        Counter.builder()
            .name("shoal_views_messages_received_total")
            .help("Partial-view messages received from peers, by type")
            .labelNames("type")
            .register(metrics.registry());
    sent =
        Counter.builder()
            .name("shoal_views_messages_sent_total")
            .help("Partial-view messages handed to the peer transport, by type")
            .labelNames("type")
            .register(metrics.registry());
    refused =
        Counter.builder()
            .name("shoal_views_refused_total")
            .help(
                "Partial-view input refused, by reason: misaddressed (meant for another node),"
                    + " address_conflict (a hint naming another node's proved address), malformed"
                    + " (refused by the core), not_neighbor (tree message from an unlinked peer),"
                    + " full_membership (a SWIM message to a node in views mode)")
            .labelNames("reason")
            .register(metrics.registry());
    deliveries =
        Counter.builder()
            .name("shoal_views_deliveries_total")
            .help("Broadcast messages this node received for the first time")
            .register(metrics.registry());
    failures =
        Counter.builder()
            .name("shoal_views_failures_total")
            .help("Exceptions in the view driver or a delivery listener: bugs, each logged once")
            .register(metrics.registry());
  }

  void views(int active, int passive) {
    activePeers = active;
    passivePeers = passive;
  }
}
