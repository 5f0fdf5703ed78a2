package io.shoal.sim;

/**
 * The hash of a run's trace: every processed event folds in what identifies it, so equal seeds give
 * equal hashes on any machine, and a replay that diverges shows at once.
 */
final class TraceHash {
  private long value = 0x5EED;

  void fold(long x) {
    value = Mix.fold(value, x);
  }

  /** The hash as 16 hex digits. */
  String hex() {
    return String.format("%016x", value);
  }
}
