package io.shoal.gossip;

/**
 * A piece of state that spreads by gossip: a membership change or an owner's map entry. Updates
 * ride on probes and syncs; a newer update about the same subject supersedes an older one in the
 * broadcast queue.
 */
public sealed interface GossipUpdate permits MemberUpdate, OwnerEntry {
  /** The subject; updates with equal keys supersede each other. */
  Object key();

  /** An estimate of the encoded size, for message budgets. */
  int estimatedBytes();
}
