package io.shoal.node;

import io.shoal.node.net.RetryLaterException;

/**
 * A fetch found no member of the swarm to ask: every seed failed, each for the reason the message
 * gives, and no other member is known. The HTTP API answers it 503 with {@code Retry-After}.
 */
public final class SeedsUnreachableException extends RetryLaterException {
  private static final long serialVersionUID = 1L;

  /** When a client may ask again: a seed's reconnect backoff starts around this. */
  static final long RETRY_AFTER_SECONDS = 5;

  SeedsUnreachableException(String message) {
    super(message, RETRY_AFTER_SECONDS);
  }
}
