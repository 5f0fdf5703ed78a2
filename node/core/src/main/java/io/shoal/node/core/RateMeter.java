package io.shoal.node.core;

/**
 * The current rate of a growing count (bytes done), smoothed for people to read: progress bars and
 * {@code shoal status}. Not thread-safe; its owner samples and reads it from one thread or under
 * one lock.
 *
 * <p>An exponentially weighted moving average in continuous time: a sample {@code dt} after the
 * previous one folds in the rate over {@code dt} with weight {@code 1 - exp(-dt / tau)}, so samples
 * may come at any spacing and the estimate forgets the past with the same time constant {@code tau}
 * (about the last {@code tau} seconds count most). Its first estimate is the first interval's rate
 * rather than a decay from zero, so a steady transfer reads right from its first second. A reading
 * long after the last sample decays as if nothing had arrived since, so a stall shows. (The rate of
 * the whole elapsed time, the usual mistake, still shows a fast start long after the link slowed.)
 *
 * <p>Unlike {@link RateEstimator}, which feeds request windows per peer, this one is only for
 * display.
 */
public final class RateMeter {
  /**
   * How far back the rate looks: long enough to steady a bursty link, short enough to follow it.
   */
  public static final long TIME_CONSTANT_NANOS = 2_000_000_000L;

  /** Samples closer than this to the previous one are folded into the next (their dt is noise). */
  public static final long MIN_SAMPLE_NANOS = 100_000_000L;

  /** Past this, an ETA is not worth showing (and cannot overflow). */
  public static final long MAX_ETA_SECONDS = 100L * 24 * 3600;

  private final long timeConstantNanos;
  private boolean started;
  private boolean estimated;
  private long lastNanos;
  private long lastCount;
  private double bytesPerSecond;

  public RateMeter() {
    this(TIME_CONSTANT_NANOS);
  }

  public RateMeter(long timeConstantNanos) {
    if (timeConstantNanos <= 0) {
      throw new IllegalArgumentException("time constant " + timeConstantNanos + " ns <= 0");
    }
    this.timeConstantNanos = timeConstantNanos;
  }

  /**
   * Starts over from {@code count} at {@code nowNanos}, forgetting the rate: what is counted before
   * this (bytes already held on a resume) is not throughput.
   */
  public void restart(long count, long nowNanos) {
    started = true;
    estimated = false;
    lastNanos = nowNanos;
    lastCount = count;
    bytesPerSecond = 0;
  }

  /** The count is {@code count} at {@code nowNanos}; the first sample only sets the baseline. */
  public void sample(long count, long nowNanos) {
    if (!started) {
      restart(count, nowNanos);
      return;
    }
    long dt = nowNanos - lastNanos;
    if (dt < MIN_SAMPLE_NANOS) {
      return;
    }
    double instant = (count - lastCount) * 1e9 / dt;
    if (estimated) {
      bytesPerSecond += weight(dt) * (instant - bytesPerSecond);
    } else {
      bytesPerSecond = instant;
      estimated = true;
    }
    lastNanos = nowNanos;
    lastCount = count;
  }

  /** Whether a rate is known: a sample came at least {@link #MIN_SAMPLE_NANOS} after the first. */
  public boolean isKnown() {
    return estimated;
  }

  /** The smoothed rate at {@code nowNanos}; 0 while unknown. */
  public double bytesPerSecond(long nowNanos) {
    if (!estimated) {
      return 0;
    }
    long since = nowNanos - lastNanos;
    return since < MIN_SAMPLE_NANOS ? bytesPerSecond : bytesPerSecond * (1 - weight(since));
  }

  private double weight(long dtNanos) {
    return -Math.expm1(-(double) dtNanos / timeConstantNanos);
  }

  /**
   * Seconds to do {@code remaining} more at {@code bytesPerSecond}, rounded up; -1 when unknown (no
   * rate, or past {@link #MAX_ETA_SECONDS}).
   */
  public static long etaSeconds(long remaining, double bytesPerSecond) {
    if (remaining <= 0) {
      return 0;
    }
    if (!(bytesPerSecond > 0)) {
      return -1;
    }
    double seconds = Math.ceil(remaining / bytesPerSecond);
    return seconds > MAX_ETA_SECONDS ? -1 : (long) seconds;
  }
}
