package io.shoal.node.core.membership;

import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;

/**
 * Where membership and catalog news lands, whichever way it travelled: it keeps the {@link
 * SwarmDirectory} and feeds the {@link FollowRule}, alike for full membership ({@link Membership},
 * from the gossip core's events) and for partial views ({@link ViewCatalogs}, from announcements
 * broadcast over Plumtree), so that both follow exactly the same winners from the same catalogs.
 * Single-threaded: the writer's.
 */
final class DirectoryFeed {
  private final SwarmDirectory directory;
  private final FollowRule follow;

  DirectoryFeed(SwarmDirectory directory, FollowRule follow) {
    this.directory = directory;
    this.follow = follow;
  }

  /** A member is up at {@code address} in {@code zone} (empty for none). */
  void memberUp(NodeId id, Endpoint address, String zone) {
    directory.memberUp(id, address, zone);
  }

  /** A member went down or left; returns whether it was up. */
  boolean memberGone(NodeId id) {
    return directory.memberGone(id);
  }

  /** A member and its catalog are forgotten; returns whether it was up. */
  boolean memberForgotten(NodeId id) {
    return directory.memberForgotten(id);
  }

  /**
   * The owner's catalog for {@code name} is now {@code value}, trusted versions only; returns
   * whether the value carries a pin claim.
   */
  boolean catalogChanged(NodeId owner, String name, CatalogValue value) {
    directory.catalogChanged(owner, name, value);
    follow.onAnnounced(owner, name, value);
    return value.pin() != null;
  }

  SwarmDirectory directory() {
    return directory;
  }

  FollowRule follow() {
    return follow;
  }
}
