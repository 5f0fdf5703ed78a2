package io.shoal.chunkstore;

import java.io.IOException;

/**
 * Persistent or received bytes that shoal cannot read: an unknown format version, a bad magic
 * number, a truncated record or a field outside its bounds. The message names the offending values
 * so that an operator can tell a newer shoal's store from a damaged one.
 */
public class FormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public FormatException(String message) {
    super(message);
  }

  public FormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
