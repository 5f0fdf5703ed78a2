package io.shoal.node.core.membership;

/**
 * A name of the local catalog that the gossip core refused to announce (a publisher's credential is
 * not known), with the core's reason.
 */
public record Unannounced(String name, String reason) {}
