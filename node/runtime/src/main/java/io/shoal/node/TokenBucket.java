package io.shoal.node;

/**
 * A token bucket that may go into debt: {@link #take} always succeeds and says how long until the
 * balance is back to zero, so the caller charges what already arrived and then waits that long. It
 * fills at {@code rateBytesPerSecond} up to {@code burstBytes} and starts full.
 *
 * <p>Not thread-safe; time is a parameter.
 */
final class TokenBucket {
  private final long rateBytesPerSecond;
  private final long burstBytes;
  private double tokens;
  private long tokensAtNanos;
  private boolean started;

  TokenBucket(long rateBytesPerSecond, long burstBytes) {
    if (rateBytesPerSecond <= 0 || burstBytes <= 0) {
      throw new IllegalArgumentException(
          "rate " + rateBytesPerSecond + " B/s / burst " + burstBytes + " B");
    }
    this.rateBytesPerSecond = rateBytesPerSecond;
    this.burstBytes = burstBytes;
  }

  /**
   * Takes {@code bytes} at {@code nowNanos}; returns the nanos until the balance is not negative.
   */
  long take(long bytes, long nowNanos) {
    if (!started) {
      started = true;
      tokens = burstBytes;
      tokensAtNanos = nowNanos;
    }
    long elapsed = nowNanos - tokensAtNanos;
    if (elapsed > 0) {
      tokens = Math.min((double) burstBytes, tokens + elapsed * (double) rateBytesPerSecond / 1e9);
      tokensAtNanos = nowNanos;
    }
    tokens -= bytes;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * 1e9 / rateBytesPerSecond);
  }
}
