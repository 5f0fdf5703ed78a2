package io.shoal.node.core;

/**
 * A peer's delivery rate in bytes per second: bytes over time, folded into an exponentially
 * weighted average every {@link #SAMPLE_NANOS}, so a burst does not swing it and a stall shows
 * within a sample or two.
 */
final class RateEstimator {
  static final long SAMPLE_NANOS = 100_000_000L;
  static final double WEIGHT = 0.3;

  private long sampleStartNanos;
  private long sampleBytes;
  private double rate;
  private boolean started;

  /** Notes {@code bytes} delivered at {@code nowNanos}. */
  void delivered(long bytes, long nowNanos) {
    if (!started) {
      started = true;
      sampleStartNanos = nowNanos;
    }
    sampleBytes += bytes;
    roll(nowNanos);
  }

  /** The current estimate, 0 while unknown. */
  double bytesPerSecond(long nowNanos) {
    roll(nowNanos);
    return rate;
  }

  private void roll(long nowNanos) {
    long elapsed = nowNanos - sampleStartNanos;
    if (!started || elapsed < SAMPLE_NANOS) {
      return;
    }
    double sample = sampleBytes * 1e9 / elapsed;
    rate = rate == 0 ? sample : WEIGHT * sample + (1 - WEIGHT) * rate;
    sampleStartNanos = nowNanos;
    sampleBytes = 0;
  }
}
