package io.shoal.node.core;

/**
 * The node's budget of requested-but-unanswered chunk bytes, shared by all its fetches: each fetch
 * also keeps its own bound ({@link TransferConfig#maxInFlightBytes}), but N fetches at that bound
 * would hold N times it. A request is sent only if its bytes fit; the one exception is a request
 * when nothing at all is in flight, so a chunk larger than the budget still moves. A fetch turned
 * away marks the budget wanted, and the session gives the other fetches a turn once bytes come
 * back. Single-threaded, like the session.
 */
final class InFlightBudget {
  private final long maxBytes;
  private long usedBytes;
  private boolean wanted;

  InFlightBudget(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("in-flight budget must be positive: " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /** Whether anything more may be asked for at all; if not, the budget is marked wanted. */
  boolean hasRoom() {
    if (usedBytes < maxBytes) {
      return true;
    }
    wanted = true;
    return false;
  }

  /** Whether a request of {@code bytes} fits; if not, the budget is marked wanted. */
  boolean fits(long bytes) {
    if (usedBytes == 0 || usedBytes + bytes <= maxBytes) {
      return true;
    }
    wanted = true;
    return false;
  }

  void take(long bytes) {
    usedBytes += bytes;
  }

  void give(long bytes) {
    usedBytes -= bytes;
  }

  /** Whether a fetch was turned away since the last call (and clears it). */
  boolean takeWanted() {
    boolean w = wanted && usedBytes < maxBytes;
    if (w) {
      wanted = false;
    }
    return w;
  }

  long usedBytes() {
    return usedBytes;
  }

  long maxBytes() {
    return maxBytes;
  }
}
