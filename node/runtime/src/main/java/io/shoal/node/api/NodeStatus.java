package io.shoal.node.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.shoal.node.TransferView;
import java.util.List;

/**
 * What {@code GET /status} and {@code shoal status} show: this node, the members as it sees them,
 * every member's catalog, the winning version of every name (a pinned name's is its pin's), the
 * peers it does not fetch from, its fetches in progress (as {@code GET /transfers} lists them), and
 * the pins in force; in partial-view mode ({@code --membership views}) also its views.
 */
public record NodeStatus(
    Self node,
    List<Member> members,
    List<OwnerCatalog> catalogs,
    List<WinnerView> winners,
    List<BannedPeer> banned,
    List<TransferView> transfers,
    List<PinView> pins,
    @JsonInclude(JsonInclude.Include.NON_NULL) Views views) {

  /** An older node's status has no bans, transfers or pins: none then. */
  public NodeStatus {
    banned = banned == null ? List.of() : banned;
    transfers = transfers == null ? List.of() : transfers;
    pins = pins == null ? List.of() : pins;
  }

  /** Without views: a node running full membership. */
  public NodeStatus(
      Self node,
      List<Member> members,
      List<OwnerCatalog> catalogs,
      List<WinnerView> winners,
      List<BannedPeer> banned,
      List<TransferView> transfers,
      List<PinView> pins) {
    this(node, members, catalogs, winners, banned, transfers, pins, null);
  }

  /** This status with the node's partial views. */
  public NodeStatus withViews(Views v) {
    return new NodeStatus(node, members, catalogs, winners, banned, transfers, pins, v);
  }

  /**
   * A node's partial views (HyParView): the peers it is linked to, and those it knows to replace
   * them. The members list then holds only this node: it does not know every member.
   *
   * @param active node ids (hex) of its links
   * @param passive node ids (hex) it knows but is not linked to
   */
  public record Views(List<String> active, List<String> passive) {}

  /**
   * A peer banned from being fetched from, for sending chunks that failed verification or a have
   * bitmap over another count of data chunks than the snapshot's.
   *
   * @param id its node id (derived from its certificate's key)
   * @param reason why
   * @param millisLeft until the ban ends
   */
  public record BannedPeer(String id, String reason, long millisLeft) {}

  /** This node. */
  public record Self(
      String id,
      String peerAddress,
      String httpAddress,
      String clusterId,
      boolean secure,
      long incarnation,
      long generation,
      int localHealth,
      String dataDir) {}

  /**
   * A member as this node sees it.
   *
   * @param zone the zone it announces ({@code shoal node --zone}); empty for none, and for an older
   *     node's status
   */
  public record Member(
      String id,
      String address,
      String state,
      long incarnation,
      long lastContactMillisAgo,
      boolean self,
      String zone) {
    /** An older node's status has no zones: none then. */
    public Member {
      zone = zone == null ? "" : zone;
    }
  }

  /** One member's catalog. */
  public record OwnerCatalog(String owner, String digest, List<Entry> entries) {}

  /** One name in a catalog. */
  public record Entry(String name, List<Held> versions) {}

  /**
   * One held version, as its holder announces it.
   *
   * @param publisher the publisher's node id
   * @param trusted whether this node's trust rules accept it (else it never wins here)
   */
  public record Held(
      long version,
      String root,
      boolean complete,
      long sizeBytes,
      String publisher,
      boolean trusted) {}

  /** The winning version of a name and who holds it. */
  public record WinnerView(
      String name,
      long version,
      String root,
      long sizeBytes,
      List<String> completeHolders,
      List<String> partialHolders) {}
}
