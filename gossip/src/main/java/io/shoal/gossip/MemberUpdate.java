package io.shoal.gossip;

import java.util.Objects;

/**
 * A claim about a member: it is alive at an address, suspected, dead or gone, as of an incarnation.
 * Only the member itself raises its incarnation (to refute).
 *
 * @param id the member
 * @param address where it listens
 * @param incarnation its incarnation number
 * @param state the claimed state
 * @param reporter who makes the claim (the member itself for ALIVE and LEFT)
 */
public record MemberUpdate(
    NodeId id, Endpoint address, long incarnation, MemberState state, NodeId reporter)
    implements GossipUpdate {

  public MemberUpdate {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reporter, "reporter");
    if (incarnation < 0) {
      throw new IllegalArgumentException("negative incarnation " + incarnation);
    }
  }

  @Override
  public Object key() {
    return id;
  }

  @Override
  public int estimatedBytes() {
    return 64 + address.host().length();
  }
}
