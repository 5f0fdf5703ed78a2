package io.shoal.node.net;

import java.io.IOException;

/**
 * The node cannot take a request now, for a reason that passes on its own (a bound is full); the
 * HTTP API answers it 503 with {@code Retry-After} and the message as its one line.
 */
public class RetryLaterException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long retryAfterSeconds;

  /**
   * @param message one line for the client: what is full, and when to try again
   * @param retryAfterSeconds when a client may try again, as {@code Retry-After} tells it
   */
  public RetryLaterException(String message, long retryAfterSeconds) {
    super(message);
    if (retryAfterSeconds <= 0) {
      throw new IllegalArgumentException("retryAfterSeconds must be > 0, not " + retryAfterSeconds);
    }
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
