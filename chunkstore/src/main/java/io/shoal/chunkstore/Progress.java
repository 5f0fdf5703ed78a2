package io.shoal.chunkstore;

/**
 * Told how a long operation advances, for progress bars and metrics. Called from worker threads:
 * implementations must be thread-safe and must not block.
 */
public interface Progress {
  /** The operation will process {@code totalBytes}; called once, before any advance. */
  default void begin(long totalBytes) {}

  /** {@code bytes} more were processed. */
  void advance(long bytes);

  /** A listener that ignores everything. */
  static Progress none() {
    return bytes -> {};
  }
}
