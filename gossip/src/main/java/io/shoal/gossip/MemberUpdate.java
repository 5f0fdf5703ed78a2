package io.shoal.gossip;

import java.util.Objects;

/**
 * A claim about a member: it is alive at an address, suspected, dead or gone, as of an incarnation.
 * Only the member itself raises its incarnation: every claim carries the member's own signature of
 * the record it made at that incarnation ({@link ClaimPayloads#memberRecord}: ALIVE at the address,
 * or LEFT), so a claim about an incarnation the member never reached, or about an address it never
 * announced, is refused wherever it arrives.
 *
 * @param id the member
 * @param address where it listens
 * @param incarnation its incarnation number
 * @param state the claimed state
 * @param reporter who makes the claim (the member itself for ALIVE and LEFT)
 * @param signature the member's signature of its record at this incarnation
 * @param zone the member's zone ({@link Zone}), part of the record it signs; empty for none
 */
public record MemberUpdate(
    NodeId id,
    Endpoint address,
    long incarnation,
    MemberState state,
    NodeId reporter,
    Signature signature,
    String zone)
    implements GossipUpdate {

  /** A claim about a member without a zone. */
  public MemberUpdate(
      NodeId id,
      Endpoint address,
      long incarnation,
      MemberState state,
      NodeId reporter,
      Signature signature) {
    this(id, address, incarnation, state, reporter, signature, Zone.NONE);
  }

  public MemberUpdate {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reporter, "reporter");
    Objects.requireNonNull(signature, "signature");
    Zone.check(zone);
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
    return 64 + address.host().length() + signature.length() + zone.length();
  }
}
