package io.shoal.api;

/** A subscription to new versions ({@link Shoal#subscribe}); closing it stops its calls. */
public interface Subscription extends AutoCloseable {
  /** Stops the calls; a call in progress finishes. Idempotent; never blocks. */
  @Override
  void close();
}
