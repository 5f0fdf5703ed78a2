package io.shoal.gossip;

/**
 * A member as the core sees it at one moment.
 *
 * @param id the member
 * @param address where it listens
 * @param incarnation its incarnation
 * @param state its state
 * @param sinceNanos when it entered that state, on the core's clock
 * @param lastContactNanos when we last heard from it directly, on the core's clock
 * @param isSelf whether this is the local node
 * @param zone its zone ({@link Zone}); empty for none
 */
public record MemberView(
    NodeId id,
    Endpoint address,
    long incarnation,
    MemberState state,
    long sinceNanos,
    long lastContactNanos,
    boolean isSelf,
    String zone) {}
