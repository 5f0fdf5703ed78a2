package io.shoal.node;

import io.shoal.gossip.CatalogSource;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipCore;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.MemberView;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Winners;
import io.shoal.node.api.NodeStatus;
import io.shoal.node.api.PinView;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/** Builds a {@link NodeStatus} from the gossip core; runs on the core's loop. */
final class NodeStatusView {
  private NodeStatusView() {}

  /** What a node says of itself; its core adds its incarnation and health. */
  static NodeStatus.Self self(
      NodeConfig config,
      NodeId id,
      Endpoint peerAddress,
      InetSocketAddress httpAddress,
      long generation) {
    String clusterId =
        config.credentials() != null ? config.credentials().clusterId() : config.clusterId();
    return new NodeStatus.Self(
        id.toHex(),
        peerAddress.toString(),
        httpAddress.getHostString() + ":" + httpAddress.getPort(),
        clusterId,
        config.isSecure(),
        0,
        generation,
        0,
        config.dataDir().toString());
  }

  /**
   * The status of a node: {@code self} with what the gossip {@code driver} knows, and in views mode
   * ({@code views} not null) the catalogs of {@code viewCatalogs} and the views. Blocks until the
   * loops answer.
   */
  static NodeStatus ofNode(
      NodeStatus.Self self,
      GossipDriver driver,
      TransferService transfers,
      ViewDriver views,
      ViewCatalogDriver viewCatalogs) {
    List<NodeStatus.BannedPeer> banned = transfers.banned.status(System.nanoTime());
    NodeStatus s = driver.query(core -> of(core, self, banned, transfers.active()));
    return views == null
        ? s
        : viewCatalogs.readCatalogs(src -> withCatalogsOf(s, src)).withViews(views.status());
  }

  static NodeStatus of(
      GossipCore core,
      NodeStatus.Self self,
      List<NodeStatus.BannedPeer> banned,
      List<TransferView> transfers) {
    long now = System.nanoTime();
    List<NodeStatus.Member> members = new ArrayList<>();
    for (MemberView m : core.members()) {
      members.add(
          new NodeStatus.Member(
              m.id().toHex(),
              m.address().toString(),
              m.state().name().toLowerCase(java.util.Locale.ROOT),
              m.incarnation(),
              m.isSelf() ? 0 : Math.max(0, (now - m.lastContactNanos()) / 1_000_000),
              m.isSelf(),
              m.zone()));
    }
    List<NodeStatus.OwnerCatalog> catalogs = catalogs(core);
    List<NodeStatus.WinnerView> winners = winners(core.winners());
    NodeStatus.Self withCore =
        new NodeStatus.Self(
            self.id(),
            self.peerAddress(),
            self.httpAddress(),
            self.clusterId(),
            self.secure(),
            core.incarnation(),
            self.generation(),
            core.localHealth(),
            self.dataDir());
    List<PinView> pins = new ArrayList<>();
    core.activePins().forEach((name, pin) -> pins.add(Pinning.view(core, name, pin)));
    return new NodeStatus(withCore, members, catalogs, winners, banned, transfers, pins);
  }

  /**
   * {@code s} with the catalogs and winners of {@code src}: in views mode they travel apart from
   * the members, on the views' loop. The winners leave pins aside.
   */
  static NodeStatus withCatalogsOf(NodeStatus s, CatalogSource src) {
    return new NodeStatus(
        s.node(),
        s.members(),
        catalogs(src),
        winners(Winners.of(src.catalogs())),
        s.banned(),
        s.transfers(),
        s.pins(),
        s.views());
  }

  private static List<NodeStatus.OwnerCatalog> catalogs(CatalogSource src) {
    List<NodeStatus.OwnerCatalog> catalogs = new ArrayList<>();
    for (Map.Entry<NodeId, SortedMap<String, CatalogValue>> owner :
        src.relayedCatalogs().entrySet()) {
      List<NodeStatus.Entry> entries = new ArrayList<>();
      for (Map.Entry<String, CatalogValue> e : owner.getValue().entrySet()) {
        List<NodeStatus.Held> held = new ArrayList<>();
        for (HeldVersion v : e.getValue().versions()) {
          held.add(
              new NodeStatus.Held(
                  v.version(),
                  v.root().toHex(),
                  v.complete(),
                  v.sizeBytes(),
                  v.publisher().toHex(),
                  src.isTrusted(v)));
        }
        entries.add(new NodeStatus.Entry(e.getKey(), held));
      }
      catalogs.add(
          new NodeStatus.OwnerCatalog(
              owner.getKey().toHex(), src.catalogDigest(owner.getKey()).toHex(), entries));
    }
    return catalogs;
  }

  private static List<NodeStatus.WinnerView> winners(SortedMap<String, Winners.Winner> all) {
    List<NodeStatus.WinnerView> winners = new ArrayList<>();
    for (Winners.Winner w : all.values()) {
      winners.add(
          new NodeStatus.WinnerView(
              w.name(),
              w.version(),
              w.root().toHex(),
              w.sizeBytes(),
              hex(w.completeHolders()),
              hex(w.partialHolders())));
    }
    return winners;
  }

  private static List<String> hex(List<NodeId> ids) {
    return ids.stream().map(NodeId::toHex).toList();
  }
}
