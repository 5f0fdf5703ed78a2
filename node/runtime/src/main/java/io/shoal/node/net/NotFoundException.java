package io.shoal.node.net;

import java.io.IOException;

/** What a request names does not exist here; the HTTP API answers 404 with the message. */
public class NotFoundException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message one line for the client: what was asked for and is not here
   */
  public NotFoundException(String message) {
    super(message);
  }
}
