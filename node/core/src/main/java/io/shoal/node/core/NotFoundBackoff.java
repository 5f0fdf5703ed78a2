package io.shoal.node.core;

import io.shoal.gossip.NodeId;
import java.util.ArrayDeque;

/**
 * Peers that answered NOT_FOUND for a chunk, each kept from being asked for that chunk again until
 * its backoff ends. Its claim to hold the chunk may have run ahead of its store (or its store
 * dropped the snapshot): not never, since most such misses clear within a commit, but not at once
 * either. Bounded by the requests a fetch sends.
 */
final class NotFoundBackoff {
  /** How long a peer that answered NOT_FOUND for a chunk is not asked for it again. */
  static final long BACKOFF_NANOS = 1_000_000_000L;

  /** A NOT_FOUND answer whose backoff ends at {@code untilNanos}. */
  private record Refusal(WantedChunk item, NodeId peer, long untilNanos) {}

  /** Oldest first (one backoff for all: deadlines ascend). */
  private final ArrayDeque<Refusal> refusals = new ArrayDeque<>();

  /** {@code peer} answered NOT_FOUND for {@code item} now. */
  void refused(WantedChunk item, NodeId peer, long nowNanos) {
    item.refusedBy.add(peer);
    refusals.add(new Refusal(item, peer, nowNanos + BACKOFF_NANOS));
  }

  /** Ends the backoffs due; returns whether a chunk not done may now be asked of a peer again. */
  boolean expire(long nowNanos) {
    boolean freed = false;
    while (!refusals.isEmpty() && nowNanos - refusals.peek().untilNanos() >= 0) {
      Refusal x = refusals.poll();
      freed |= x.item().refusedBy.remove(x.peer()) && !x.item().done;
    }
    return freed;
  }

  /** When the next backoff ends, or {@code Long.MAX_VALUE}. */
  long nextDeadlineNanos() {
    return refusals.isEmpty() ? Long.MAX_VALUE : refusals.peek().untilNanos();
  }
}
