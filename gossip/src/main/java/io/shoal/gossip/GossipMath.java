package io.shoal.gossip;

/** The arithmetic of the protocol, as pure functions (tested with tables). */
public final class GossipMath {
  private GossipMath() {}

  /** Times an update is sent: {@code mult * ceil(log10(n + 1))}, at least {@code mult}. */
  public static int retransmitLimit(int mult, int clusterSize) {
    int scale = (int) Math.ceil(Math.log10(clusterSize + 1.0));
    return mult * Math.max(1, scale);
  }

  /** Lifeguard's minimum suspicion timeout: {@code mult * max(1, log10(n)) * interval}. */
  public static long suspicionMinNanos(int mult, int clusterSize, long probeIntervalNanos) {
    double scale = Math.max(1.0, Math.log10(Math.max(1.0, clusterSize)));
    return (long) (mult * scale * probeIntervalNanos);
  }

  /**
   * The suspicion timeout after {@code confirmations} independent suspicions: starts at {@code max}
   * and falls logarithmically to {@code min} once {@code expected} members agree (Lifeguard,
   * section IV-B).
   */
  public static long suspicionTimeoutNanos(int confirmations, int expected, long min, long max) {
    if (expected <= 0) {
      return min;
    }
    double fraction = Math.log(confirmations + 1.0) / Math.log(expected + 1.0);
    long timeout = (long) (max - fraction * (max - min));
    return Math.max(min, timeout);
  }

  /** Push-pull interval: the base up to 32 members, then growing with log2 of the size. */
  public static long pushPullIntervalNanos(long baseNanos, int clusterSize) {
    if (clusterSize < 8) {
      return baseNanos / 2;
    }
    if (clusterSize <= 32) {
      return baseNanos;
    }
    double over = Math.log(clusterSize) / Math.log(2) - 5;
    return baseNanos * ((long) Math.ceil(over) + 1);
  }

  /** Exponential backoff: {@code base * 2^failures}, capped. */
  public static long backoffNanos(long baseNanos, long capNanos, int failures) {
    int shift = Math.min(Math.max(failures, 0), 30);
    long b = baseNanos << shift;
    return b <= 0 || b > capNanos ? capNanos : b;
  }
}
