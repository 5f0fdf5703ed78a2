package io.shoal.gossip.views;

/** What a {@link ViewCore} refused or dropped, for tests, metrics and the simulator's report. */
final class ViewCounters {
  /** Messages refused whole: oversized lists or payloads, negative hop counts. */
  long refusedMalformed;

  /** Tree messages (IHAVE, GRAFT, PRUNE) from a peer that is not in the active view. */
  long refusedNotNeighbor;

  /** GRAFTs for a message this node does not hold (never had, or evicted). */
  long unknownGrafts;

  /** Eager pushes of a message already held (each answered by a PRUNE). */
  long duplicates;

  /** Announcements dropped because the missing-message table was full. */
  long missingDropped;
}
