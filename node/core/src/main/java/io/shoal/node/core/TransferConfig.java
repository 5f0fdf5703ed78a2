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
 */
public record TransferConfig(
    long targetQueueNanos,
    long minPeerWindowBytes,
    long maxPeerWindowBytes,
    long maxInFlightBytes,
    long requestTimeoutNanos,
    int banThreshold,
    int endgameDuplicates,
    long streamReadaheadBytes) {

  public TransferConfig {
    if (targetQueueNanos <= 0
        || minPeerWindowBytes <= 0
        || maxPeerWindowBytes < minPeerWindowBytes
        || maxInFlightBytes < minPeerWindowBytes
        || requestTimeoutNanos <= 0
        || banThreshold < 1
        || endgameDuplicates < 1
        || streamReadaheadBytes < 0) {
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
        32L << 20);
  }
}
