package io.shoal.node.api;

/**
 * A pin in force (in {@code shoal status}), or the claim a pin or unpin request made.
 *
 * @param name the snapshot name
 * @param version the pinned version; 0 for an unpin
 * @param root the pinned version's root id, hex; null for an unpin
 * @param pinner the node that made the claim, hex
 * @param stamp the claim's place among the name's claims (ms since the epoch, raised past every
 *     earlier claim): the newest claim of a name wins everywhere
 * @param waiting whether no member holds the pinned version yet: followers keep what they hold
 */
public record PinView(
    String name, long version, String root, String pinner, long stamp, boolean waiting) {}
