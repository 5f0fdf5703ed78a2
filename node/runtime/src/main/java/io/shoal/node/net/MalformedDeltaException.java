package io.shoal.node.net;

import java.io.IOException;

/**
 * A chunk delta that does not rebuild a chunk: truncated, an op past its bound, a copy past the
 * bases, or a result of another length than the frame declares. Unlike a malformed frame it does
 * not close the connection: it counts as a chunk that failed verification (a strike against the
 * sender, and the chunk is asked for again whole).
 */
public final class MalformedDeltaException extends IOException {
  private static final long serialVersionUID = 1L;

  public MalformedDeltaException(String message) {
    super(message);
  }
}
