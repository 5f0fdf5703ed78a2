package io.shoal.node;

import io.shoal.gossip.GossipEvent;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Pin;
import io.shoal.node.core.membership.Follow;
import io.shoal.node.core.membership.LearnedWinner;
import io.shoal.node.net.NodeMetrics;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the membership's outputs go in a running node: events and new winners to the log, gone
 * members and changed catalogs to the transfer service, follows to the {@link Follower}, pins to
 * the node's {@link PinFile}. Called on the gossip loop.
 *
 * <p>The driver exists before the transfer service (which reads its directory), so the transfer
 * side is connected once built ({@link #connect}).
 */
final class MembershipOutputs implements GossipDriver.Outputs {
  private static final Logger log = LoggerFactory.getLogger(MembershipOutputs.class);

  private final NodeId self;
  private final NodeMetrics metrics;
  private volatile TransferService transfers;
  private volatile Follower follower;
  private final PinFile pins;

  MembershipOutputs(NodeId self, NodeMetrics metrics, NodeConfig config, NodeThreads threads) {
    this.self = self;
    this.metrics = metrics;
    this.pins = new PinFile(config.dataDir(), threads.workers);
  }

  void connect(TransferService transfers, Follower follower) {
    this.transfers = transfers;
    this.follower = follower;
  }

  @Override
  public void onEvent(GossipEvent e) {
    TransferService t = transfers;
    if (e instanceof GossipEvent.CatalogChanged c && t != null && !c.owner().equals(self)) {
      t.onCatalogChanged(c.owner(), c.value());
    } else if (e instanceof GossipEvent.MemberUp u) {
      if (t != null) {
        t.onMemberUp(u.id());
      }
      log.info(
          "member {} up at {} (incarnation {})", u.id().shortHex(), u.address(), u.incarnation());
    } else if (e instanceof GossipEvent.MemberSuspected s) {
      metrics.memberSuspicions.labelValues("suspect").inc();
      log.info("member {} at {} suspected: it missed its probes", s.id().shortHex(), s.address());
    } else if (e instanceof GossipEvent.MemberDown d) {
      metrics.memberSuspicions.labelValues("dead").inc();
      log.warn(
          "member {} at {} declared dead; it stays on the reconnect list",
          d.id().shortHex(),
          d.address());
    } else if (e instanceof GossipEvent.MemberLeft l) {
      log.info("member {} at {} left the cluster", l.id().shortHex(), l.address());
    } else if (e instanceof GossipEvent.Refuted r) {
      log.info(
          "this node was suspected or reported elsewhere; refuted with incarnation {}",
          r.incarnation());
    }
  }

  @Override
  public void onGone(NodeId member) {
    transfers.onMemberGone(member);
  }

  @Override
  public void onWinner(LearnedWinner w) {
    log.atLevel(LogLines.level(w.name()))
        .log(
            "{}@{} (root {}) {}",
            w.name(),
            w.version().version(),
            w.version().root().toShortHex(),
            w.announcedBy().equals(self)
                ? "held here"
                : "announced by " + w.announcedBy().shortHex());
  }

  @Override
  public void onFollow(Follow f) {
    follower.onFollow(f);
  }

  @Override
  public List<PinFile.Entry> savedPins() {
    return pins.load();
  }

  @Override
  public void onPinsChanged(List<PinFile.Entry> claims) {
    List<String> shown = new ArrayList<>();
    for (PinFile.Entry e : claims) {
      Pin p = e.pin();
      if (!p.isUnpin()) {
        shown.add(
            e.name()
                + "@"
                + p.version()
                + " (root "
                + p.root().toShortHex()
                + ", by "
                + p.pinner().shortHex()
                + ")");
      }
    }
    log.info("pins in force: {}", shown.isEmpty() ? "none" : String.join(", ", shown));
    pins.saveLater(claims);
  }
}
