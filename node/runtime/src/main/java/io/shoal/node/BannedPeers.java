package io.shoal.node;

import io.shoal.node.api.NodeStatus;
import io.shoal.node.core.PeerBans;
import io.shoal.node.core.TransferEvent;
import io.shoal.node.net.NodeMetrics;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peers this node's transfer session bans, as {@code /status} and the metrics show them, and
 * the log line of each ban. The session decides (see {@link PeerBans}); this is a copy taken on the
 * transfer loop at each ban, read from any thread. A ban's end is fixed when it is made, so a copy
 * needs no refresh when one ends: readers leave out the bans that ended.
 */
final class BannedPeers {
  private static final Logger log = LoggerFactory.getLogger(BannedPeers.class);

  private final NodeMetrics metrics;
  private volatile List<PeerBans.Ban> bans = List.of();

  BannedPeers(NodeMetrics metrics) {
    this.metrics = metrics;
    metrics.gauge(
        "shoal_transfer_banned_peers",
        "Peers this node does not fetch from now, for sending chunks that failed verification or"
            + " a have bitmap over another count of data chunks",
        () -> status(System.nanoTime()).size());
  }

  /** The session banned {@code b.peer()}; {@code inForce} are its bans now (on the loop). */
  void onBanned(TransferEvent.PeerBanned b, String label, List<PeerBans.Ban> inForce) {
    long now = System.nanoTime();
    bans = List.copyOf(inForce);
    metrics.peersBanned.inc();
    long seconds =
        inForce.stream()
            .filter(x -> x.peer().equals(b.peer()))
            .mapToLong(x -> x.remainingNanos(now) / 1_000_000_000L)
            .findFirst()
            .orElse(0);
    log.warn(
        "banned peer {} for {} s: {} (fetching {})",
        b.peer().shortHex(),
        seconds,
        b.reason(),
        label);
  }

  /** The bans in force at {@code nowNanos}, as status shows them. */
  List<NodeStatus.BannedPeer> status(long nowNanos) {
    List<NodeStatus.BannedPeer> out = new ArrayList<>();
    for (PeerBans.Ban b : bans) {
      long left = b.remainingNanos(nowNanos);
      if (left > 0) {
        out.add(new NodeStatus.BannedPeer(b.peer().toHex(), b.reason(), left / 1_000_000));
      }
    }
    return out;
  }
}
