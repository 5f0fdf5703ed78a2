package io.shoal.testing;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * A clock that moves only when told, for driving sans-IO cores. It starts at a random value,
 * sometimes near {@code Long.MAX_VALUE}, so code that compares nanosecond readings with {@code a <
 * b} instead of {@code a - b < 0} fails here rather than in production after 292 years of uptime
 * (the trick is Caffeine's {@code StartTime}).
 */
public final class FakeClock {
  private long nowNanos;

  /** Starts at a random point chosen by {@code seed}. */
  public FakeClock(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    switch (random.nextInt(3)) {
      case 0 -> nowNanos = 0;
      case 1 -> nowNanos = Long.MAX_VALUE - Duration.ofMinutes(random.nextInt(1, 60)).toNanos();
      default -> nowNanos = random.nextLong();
    }
  }

  public static FakeClock startingAt(long nanos) {
    FakeClock c = new FakeClock(0);
    c.nowNanos = nanos;
    return c;
  }

  public long nowNanos() {
    return nowNanos;
  }

  public long advance(Duration d) {
    return advanceNanos(d.toNanos());
  }

  public long advanceNanos(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("time runs forward: " + nanos);
    }
    nowNanos += nanos; // may wrap past Long.MAX_VALUE on purpose
    return nowNanos;
  }

  /** Moves to {@code deadline} if it lies ahead; returns the new time. */
  public long advanceTo(long deadlineNanos) {
    if (deadlineNanos - nowNanos > 0) {
      nowNanos = deadlineNanos;
    }
    return nowNanos;
  }
}
