package io.shoal.gossip;

import java.util.HashSet;
import java.util.Set;

/**
 * A running suspicion of one member (Lifeguard, section IV-B): the timeout starts long and shrinks
 * as independent members confirm it, so a member that only one peer cannot reach (the peer's own
 * trouble) is not declared dead quickly, while a member everyone misses is.
 */
final class Suspicion {
  private final long startNanos;
  private final long minNanos;
  private final long maxNanos;
  private final int expectedConfirmations;
  private final Set<NodeId> confirmations = new HashSet<>();

  Suspicion(
      long startNanos, long minNanos, long maxNanos, int expectedConfirmations, NodeId first) {
    this.startNanos = startNanos;
    this.minNanos = minNanos;
    this.maxNanos = maxNanos;
    this.expectedConfirmations = expectedConfirmations;
    confirmations.add(first);
  }

  /** Counts a suspicion raised by {@code reporter}; true when it is a new reporter. */
  boolean confirm(NodeId reporter) {
    return confirmations.size() <= expectedConfirmations && confirmations.add(reporter);
  }

  /** When the member is declared dead unless it refutes. */
  long deadlineNanos() {
    // The first reporter is not a confirmation of itself.
    return startNanos
        + GossipMath.suspicionTimeoutNanos(
            confirmations.size() - 1, expectedConfirmations, minNanos, maxNanos);
  }
}
