package io.shoal.gossip;

/** The core's mutable record of one member. Owned by {@link MemberTable}; not thread-safe. */
final class Member {
  final NodeId id;
  Endpoint address;

  /** The zone of its signed record at {@link #incarnation}: empty for none. */
  String zone = Zone.NONE;

  long incarnation;
  MemberState state;
  long stateSinceNanos;
  long lastContactNanos;
  Suspicion suspicion;

  /** The member's own signature of its record at {@link #incarnation}: ALIVE, or LEFT. */
  Signature signature;

  /** Whether {@link #signature} is over a LEFT record. */
  boolean signedLeft;

  Member(
      NodeId id,
      Endpoint address,
      long incarnation,
      MemberState state,
      Signature signature,
      long nowNanos) {
    this.id = id;
    this.address = address;
    this.incarnation = incarnation;
    this.state = state;
    this.signature = signature;
    this.signedLeft = state == MemberState.LEFT;
    this.stateSinceNanos = nowNanos;
    this.lastContactNanos = nowNanos;
  }

  MemberUpdate toUpdate(NodeId reporter) {
    // A member that signed its departure is reported as left, even this node before it stops.
    MemberState claimed = signedLeft ? MemberState.LEFT : state;
    return new MemberUpdate(id, address, incarnation, claimed, reporter, signature, zone);
  }

  /** Whether {@code u} names exactly the record this member's stored signature covers. */
  boolean hasEvidenceOf(MemberUpdate u) {
    return u.incarnation() == incarnation
        && u.address().equals(address)
        && u.zone().equals(zone)
        && (u.state() == MemberState.LEFT) == signedLeft
        && u.signature().equals(signature);
  }

  boolean isReachable() {
    return state == MemberState.ALIVE || state == MemberState.SUSPECT;
  }
}
