package io.shoal.node.net;

/**
 * Bytes from a peer that do not decode: an unknown registration id or frame kind, a count or length
 * past its bound, truncated fields, trailing bytes. The connection that sent them is closed; the
 * node carries on.
 */
public final class MalformedMessageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MalformedMessageException(String message) {
    super(message);
  }

  public MalformedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
