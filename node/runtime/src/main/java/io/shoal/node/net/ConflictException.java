package io.shoal.node.net;

import java.io.IOException;

/**
 * A request that conflicts with what another node owns (a change log another node writes); the HTTP
 * API answers 409 with the message.
 */
public class ConflictException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message one line for the client: what conflicts, and where to go instead
   */
  public ConflictException(String message) {
    super(message);
  }
}
