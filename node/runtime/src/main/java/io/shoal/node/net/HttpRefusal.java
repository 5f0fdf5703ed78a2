package io.shoal.node.net;

/**
 * Why the HTTP API refused a request before any handler ran (a rule of {@link HttpAccess} or a
 * bound), with what the log may say about it.
 *
 * @param reason the rule the request broke
 * @param detail the offending value, made printable and short (never a token), or empty
 */
record HttpRefusal(Reason reason, String detail) {
  /** Longest detail kept, in characters: a header value is the client's to choose. */
  static final int MAX_DETAIL_CHARS = 80;

  /** The rules, each with its HTTP status, its metric label and what the client is told. */
  enum Reason {
    /** The request did not parse as HTTP. */
    MALFORMED(400, "malformed", "malformed request"),
    /** A request line longer than {@link HttpLimits#MAX_INITIAL_LINE_BYTES}. */
    URI_TOO_LONG(414, "uri_too_long", "request line too long"),
    /** Headers larger than {@link HttpLimits#MAX_HEADER_BYTES}. */
    HEADERS_TOO_LARGE(431, "headers_too_large", "request headers too large"),
    /** A body larger than {@link HttpLimits#MAX_BODY_BYTES} (answered by the aggregator: 413). */
    TOO_LARGE(413, "too_large", "request body too large"),
    /** The worker pool and its queue are full. */
    BUSY(503, "busy", "node is busy; try again"),
    /** {@link HttpLimits#MAX_STREAMS} streams are being served, or this connection has one. */
    STREAMS(503, "streams", "too many streams at once; try again"),
    /** No Host header, several, or one that names no address of this node (DNS rebinding). */
    HOST(403, "host", "Host header is not an address of this node (see --http-name)"),
    /** An Origin header that is not allowed: a web page is making the request. */
    ORIGIN(403, "origin", "requests from web pages are refused (see --http-allow-origin)"),
    /** An OPTIONS request: CORS preflights are never granted. */
    PREFLIGHT(403, "preflight", "cross-origin requests are not served"),
    /** A request with a body that declares neither {@code application/json} nor octet-stream. */
    CONTENT_TYPE(
        403,
        "content_type",
        "request body must be sent as application/json (or application/octet-stream)"),
    /** A state route without an Authorization header. */
    NO_TOKEN(401, "no_token", "this route needs Authorization: Bearer TOKEN (DIR/node.json)"),
    /** A dashboard cookie of this node that names no live session (forged, expired, restarted). */
    SESSION(401, "session", "dashboard session unknown or expired: run 'shoal ui' again"),
    /** A state route with a token that is not this node's current one. */
    WRONG_TOKEN(401, "wrong_token", "wrong token: read the current one from DIR/node.json");

    final int status;
    final String label;
    final String message;

    Reason(int status, String label, String message) {
      this.status = status;
      this.label = label;
      this.message = message;
    }
  }

  HttpRefusal {
    detail = printable(detail);
  }

  static HttpRefusal of(Reason reason) {
    return new HttpRefusal(reason, "");
  }

  /** {@code text} without control characters and cut to {@link #MAX_DETAIL_CHARS}. */
  static String printable(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_DETAIL_CHARS + 3));
    for (int i = 0; i < text.length() && i < MAX_DETAIL_CHARS; i++) {
      char c = text.charAt(i);
      sb.append(Character.isISOControl(c) ? '?' : c);
    }
    if (text.length() > MAX_DETAIL_CHARS) {
      sb.append("...");
    }
    return sb.toString();
  }
}
