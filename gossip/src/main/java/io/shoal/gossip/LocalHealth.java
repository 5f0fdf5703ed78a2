package io.shoal.gossip;

/**
 * Lifeguard's local health multiplier, from its Local Health Aware Probe (Dadgar, Phillips and
 * Currey, 2018): a score that rises when this node misses acks or nacks it expected, or has to
 * refute a suspicion of itself, and falls with each successful probe. Its timers stretch by {@code
 * score + 1}, so a node that is itself slow (overloaded, descheduled) stops accusing healthy
 * members. Not thread-safe.
 */
final class LocalHealth {
  private final int max;
  private int score;

  /**
   * @param max the highest score (Lifeguard's S)
   */
  LocalHealth(int max) {
    this.max = max;
  }

  int score() {
    return score;
  }

  /** {@code nanos} stretched by the current score. */
  long scaled(long nanos) {
    return nanos * (score + 1);
  }

  /** A probe ended without an ack; each expected nack that never came counts once more. */
  void probeFailed(int nacksExpected, int nacksReceived) {
    int missedNacks = Math.max(0, nacksExpected - nacksReceived);
    score = Math.min(max, score + 1 + (missedNacks > 0 ? 1 : 0));
  }

  /** A probe was acked. */
  void probeSucceeded() {
    score = Math.max(0, score - 1);
  }

  /** This node had to refute a claim about itself. */
  void refuted() {
    score = Math.min(max, score + 1);
  }
}
