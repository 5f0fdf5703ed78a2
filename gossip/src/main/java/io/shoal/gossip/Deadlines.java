package io.shoal.gossip;

/** Comparing instants on a clock that may wrap: only differences are meaningful. */
final class Deadlines {
  private Deadlines() {}

  /** The earlier of two instants less than 2^63 ns apart, compared by difference. */
  static long earliest(long a, long b) {
    return b - a < 0 ? b : a;
  }
}
