package io.shoal.node;

import io.shoal.node.core.TransferSession;
import io.shoal.node.net.RetryLaterException;

/**
 * A fetch was refused because {@link TransferSession#MAX_CONCURRENT_FETCHES} fetches run already.
 * Nothing was started; the caller may try again once one ends (a follower does, at the next
 * announcement; an HTTP client is answered 503 with {@code Retry-After}).
 */
final class FetchRefusedException extends RetryLaterException {
  private static final long serialVersionUID = 1L;

  /** When an HTTP client is told to try again: a fetch of a large snapshot runs for minutes. */
  static final long RETRY_AFTER_SECONDS = 30;

  FetchRefusedException(String label) {
    super(
        "cannot fetch "
            + label
            + ": this node is running its maximum of "
            + TransferSession.MAX_CONCURRENT_FETCHES
            + " fetches; try again when one ends",
        RETRY_AFTER_SECONDS);
  }
}
