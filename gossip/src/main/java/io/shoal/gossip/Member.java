package io.shoal.gossip;

/** The core's mutable record of one member. Owned by {@link MemberTable}; not thread-safe. */
final class Member {
  final NodeId id;
  Endpoint address;
  long incarnation;
  MemberState state;
  long stateSinceNanos;
  long lastContactNanos;
  Suspicion suspicion;

  Member(NodeId id, Endpoint address, long incarnation, MemberState state, long nowNanos) {
    this.id = id;
    this.address = address;
    this.incarnation = incarnation;
    this.state = state;
    this.stateSinceNanos = nowNanos;
    this.lastContactNanos = nowNanos;
  }

  MemberUpdate toUpdate(NodeId reporter) {
    return new MemberUpdate(id, address, incarnation, state, reporter);
  }

  boolean isReachable() {
    return state == MemberState.ALIVE || state == MemberState.SUSPECT;
  }
}
