package io.shoal.node.core;

/**
 * Bounds and timers of transfers.
 *
 * @param targetQueueNanos each peer gets about its measured rate times this in flight, so a fast
 *     peer on a long link is kept busy and a slow one is not flooded
 * @param minPeerWindowBytes a peer's window never shrinks below this
 * @param maxPeerWindowBytes nor grows past this
 * @param maxInFlightBytes bound of requested-but-unanswered bytes across all peers of a fetch
 * @param requestTimeoutNanos a request unanswered this long goes elsewhere (at least; slow peers
 *     get proportionally longer)
 * @param banThreshold bad chunks after which a peer is banned
 * @param endgameDuplicates copies of each remaining request in the endgame
 * @param streamReadaheadBytes chunks this far past a reader's position come first
 * @param maxNodeInFlightBytes bound of requested-but-unanswered bytes across all fetches of the
 *     node ({@link InFlightBudget}); at least {@code maxInFlightBytes}
 * @param banNanos how long a peer banned for bad chunks is not fetched from, across fetches ({@link
 *     PeerBans})
 */
public record TransferConfig(
    long targetQueueNanos,
    long minPeerWindowBytes,
    long maxPeerWindowBytes,
    long maxInFlightBytes,
    long requestTimeoutNanos,
    int banThreshold,
    int endgameDuplicates,
    long streamReadaheadBytes,
    long maxNodeInFlightBytes,
    long banNanos) {

  /** Bytes requested but unanswered across all the fetches of a node, by default. */
  public static final long MAX_NODE_IN_FLIGHT_BYTES = 512L << 20;

  /** How long a peer that sent bad chunks is banned, by default: 30 minutes. */
  public static final long BAN_NANOS = 30L * 60 * 1_000_000_000L;

  public TransferConfig {
    if (targetQueueNanos <= 0
        || minPeerWindowBytes <= 0
        || maxPeerWindowBytes < minPeerWindowBytes
        || maxInFlightBytes < minPeerWindowBytes
        || requestTimeoutNanos <= 0
        || banThreshold < 1
        || endgameDuplicates < 1
        || streamReadaheadBytes < 0
        || maxNodeInFlightBytes < maxInFlightBytes
        || banNanos <= 0) {
      throw new IllegalArgumentException("inconsistent transfer config " + this);
    }
  }

  public static TransferConfig defaults() {
    return new TransferConfig(
        200_000_000L, // 200 ms of data in flight per peer
        512L << 10,
        64L << 20,
        256L << 20,
        4_000_000_000L,
        3,
        2,
        32L << 20,
        MAX_NODE_IN_FLIGHT_BYTES,
        BAN_NANOS);
  }

  /** This config with another node-wide in-flight bound. */
  public TransferConfig withMaxNodeInFlightBytes(long bytes) {
    return new TransferConfig(
        targetQueueNanos,
        minPeerWindowBytes,
        maxPeerWindowBytes,
        Math.min(maxInFlightBytes, bytes),
        requestTimeoutNanos,
        banThreshold,
        endgameDuplicates,
        streamReadaheadBytes,
        bytes,
        banNanos);
  }

  /** This config with another ban time. */
  public TransferConfig withBanNanos(long nanos) {
    return new TransferConfig(
        targetQueueNanos,
        minPeerWindowBytes,
        maxPeerWindowBytes,
        maxInFlightBytes,
        requestTimeoutNanos,
        banThreshold,
        endgameDuplicates,
        streamReadaheadBytes,
        maxNodeInFlightBytes,
        nanos);
  }
}
