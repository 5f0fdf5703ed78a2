package io.shoal.gossip;

import java.util.Objects;

/**
 * A peer address as the core sees it: a host and a port, opaque otherwise. The runtime resolves it;
 * the core only compares and forwards it.
 *
 * @param host a name or a literal IP address (IPv6 without brackets)
 * @param port 1 to 65535
 */
public record Endpoint(String host, int port) implements Comparable<Endpoint> {
  /** Longest host accepted, in characters. */
  public static final int MAX_HOST_CHARS = 253;

  public Endpoint {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty() || host.length() > MAX_HOST_CHARS || port < 1 || port > 65535) {
      throw new IllegalArgumentException("bad address " + host + ":" + port);
    }
  }

  /**
   * Parses {@code host:port} or {@code [v6-address]:port}.
   *
   * @throws IllegalArgumentException naming the text when it is malformed
   */
  public static Endpoint parse(String text) {
    String t = text.trim();
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) {
      throw new IllegalArgumentException("bad address '" + text + "': want HOST:PORT");
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new Endpoint(host, Integer.parseInt(t.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in '" + text + "'", e);
    }
  }

  @Override
  public int compareTo(Endpoint o) {
    int c = host.compareTo(o.host);
    return c != 0 ? c : Integer.compare(port, o.port);
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
