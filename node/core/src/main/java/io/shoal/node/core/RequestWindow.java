package io.shoal.node.core;

/**
 * How many bytes a peer may have requested but not yet delivered. Sized by time, not count: about
 * the peer's measured rate times {@link TransferConfig#targetQueueNanos} (a fixed count of N chunks
 * would cap a peer at N x chunk size / RTT). Until a rate is measured the window grows by each
 * delivery (slow start); a timeout or a refusal halves it. Always within the configured bounds.
 * Pure.
 */
final class RequestWindow {
  private RequestWindow() {}

  /** The window after {@code deliveredBytes} arrived, with the peer's rate measured since. */
  static long afterDelivery(
      long window, double rateBytesPerSecond, int deliveredBytes, TransferConfig config) {
    long byTime = (long) (rateBytesPerSecond * config.targetQueueNanos() / 1e9);
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
