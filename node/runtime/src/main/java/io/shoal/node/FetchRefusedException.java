package io.shoal.node;

import io.shoal.node.core.TransferSession;
import java.io.IOException;

/**
 * A fetch was refused because {@link TransferSession#MAX_CONCURRENT_FETCHES} fetches run already.
 * Nothing was started; the caller may try again once one ends (a follower does, at the next
 * announcement).
 */
final class FetchRefusedException extends IOException {
  private static final long serialVersionUID = 1L;

  FetchRefusedException(String label) {
    super(
        "cannot fetch "
            + label
            + ": "
            + TransferSession.MAX_CONCURRENT_FETCHES
            + " fetches are running on this node (the limit); try again when one ends");
  }
}
