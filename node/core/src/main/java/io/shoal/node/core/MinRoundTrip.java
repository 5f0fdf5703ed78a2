package io.shoal.node.core;

/**
 * The shortest time a peer took to answer a request lately: the smallest of the answers in this
 * {@link #EPOCH_NANOS} and the one before, so a route that got longer shows within two epochs.
 * Requests queue behind each other, so most answers measure the queue the window itself builds; the
 * shortest one (a small index chunk, or the first request on an idle link) measures the link and
 * the peer, as BBR's min_rtt does. Pure.
 */
final class MinRoundTrip {
  static final long EPOCH_NANOS = 10_000_000_000L;

  private long epochStartNanos;
  private long current = Long.MAX_VALUE;
  private long previous = Long.MAX_VALUE;
  private boolean started;

  /** Notes a request answered {@code tookNanos} after it was sent, at {@code nowNanos}. */
  void answered(long tookNanos, long nowNanos) {
    if (!started) {
      started = true;
      epochStartNanos = nowNanos;
    } else if (nowNanos - epochStartNanos >= EPOCH_NANOS) {
      previous = nowNanos - epochStartNanos >= 2 * EPOCH_NANOS ? Long.MAX_VALUE : current;
      current = Long.MAX_VALUE;
      epochStartNanos = nowNanos;
    }
    current = Math.min(current, Math.max(0, tookNanos));
  }

  /** The shortest answer of this epoch and the one before, or -1 before any. */
  long nanos() {
    long min = Math.min(current, previous);
    return min == Long.MAX_VALUE ? -1 : min;
  }
}
