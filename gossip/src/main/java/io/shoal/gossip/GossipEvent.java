package io.shoal.gossip;

/** Something the core reports to its driver, for logs, metrics and the layers above. */
public sealed interface GossipEvent {
  /** A member joined, came back, or changed address or zone ({@link Zone}; empty for none). */
  record MemberUp(NodeId id, Endpoint address, long incarnation, String zone)
      implements GossipEvent {
    /** A member without a zone. */
    public MemberUp(NodeId id, Endpoint address, long incarnation) {
      this(id, address, incarnation, Zone.NONE);
    }
  }

  /** A member missed its probes and is suspected. */
  record MemberSuspected(NodeId id, Endpoint address) implements GossipEvent {}

  /** A member was declared dead; it goes on the reconnect list. */
  record MemberDown(NodeId id, Endpoint address) implements GossipEvent {}

  /** A member left on purpose. */
  record MemberLeft(NodeId id, Endpoint address) implements GossipEvent {}

  /** A dead member was forgotten after its retention; it may stay on the reconnect list. */
  record MemberRemoved(NodeId id) implements GossipEvent {}

  /** An owner's catalog entry for a name changed. */
  record CatalogChanged(NodeId owner, String name, CatalogValue value) implements GossipEvent {}

  /** This node refuted a suspicion about itself by raising its incarnation. */
  record Refuted(long incarnation) implements GossipEvent {}
}
