package io.shoal.node.core;

/**
 * How many bytes a peer may have requested but not yet delivered. Sized by time, not count: about
 * the peer's measured rate times a target queue (a fixed count of N chunks would cap a peer at N x
 * chunk size / RTT). The target is {@link #QUEUE_ROUND_TRIPS} times the peer's shortest round trip
 * ({@link MinRoundTrip}), within {@link #MIN_TARGET_QUEUE_NANOS} and {@link
 * TransferConfig#targetQueueNanos}: twice what keeps the link full, and no more, since every byte
 * in flight is a buffer held on both ends (on loopback, 200 ms of a fast peer was 36 MiB). Until a
 * rate is measured the window grows by each delivery (slow start); a timeout or a refusal halves
 * it. Always within the configured bounds. Pure.
 */
final class RequestWindow {
  private RequestWindow() {}

  /** A peer's window holds this many of its shortest round trips of data. */
  static final int QUEUE_ROUND_TRIPS = 2;

  /**
   * The target queue is never shorter than this: a peer on loopback answers an index chunk in a
   * fraction of a millisecond, yet needs a few chunks queued to stay busy while it reads and
   * encrypts them.
   */
  static final long MIN_TARGET_QUEUE_NANOS = 20_000_000L;

  /**
   * The time of data to keep in flight to a peer whose shortest round trip is {@code
   * minRoundTripNanos} (-1: not measured yet, the configured target).
   */
  static long targetQueueNanos(long minRoundTripNanos, TransferConfig config) {
    if (minRoundTripNanos < 0) {
      return config.targetQueueNanos();
    }
    long byTrips =
        minRoundTripNanos > Long.MAX_VALUE / QUEUE_ROUND_TRIPS
            ? Long.MAX_VALUE
            : QUEUE_ROUND_TRIPS * minRoundTripNanos;
    long floor = Math.min(MIN_TARGET_QUEUE_NANOS, config.targetQueueNanos());
    return Math.max(floor, Math.min(config.targetQueueNanos(), byTrips));
  }

  /**
   * The window after {@code deliveredBytes} arrived, with the peer's rate measured since and its
   * shortest round trip ({@code -1}: none yet).
   */
  static long afterDelivery(
      long window,
      double rateBytesPerSecond,
      long minRoundTripNanos,
      int deliveredBytes,
      TransferConfig config) {
    long target = targetQueueNanos(minRoundTripNanos, config);
    long byTime = (long) (rateBytesPerSecond * target / 1e9);
    long next = rateBytesPerSecond > 0 ? Math.max(byTime, window) : window + deliveredBytes;
    if (rateBytesPerSecond > 0 && byTime < window) {
      next = Math.max(byTime, window - deliveredBytes); // shrink gently toward the measured rate
    }
    return clamp(next, config);
  }

  /** The window after a request timed out or was refused. */
  static long afterLoss(long window, TransferConfig config) {
    return Math.max(config.minPeerWindowBytes(), window / 2);
  }

  private static long clamp(long window, TransferConfig config) {
    return Math.max(config.minPeerWindowBytes(), Math.min(config.maxPeerWindowBytes(), window));
  }
}
