package io.shoal.node.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code Host} header values the HTTP API answers: the defence against DNS rebinding, where a
 * web page's own host name is made to resolve to this machine so that the browser sends the page's
 * requests here. Such a request names the attacker's host, never one of these.
 *
 * <p>Allowed: the bound address as a client writes it ({@code 127.0.0.1:7421}, {@code [::1]:7421}),
 * the host as configured ({@code --http HOST:PORT}); on loopback or a wildcard address also {@code
 * localhost}, {@code 127.0.0.1} and {@code [::1]}; on a wildcard address every address of the
 * machine's interfaces (an address literal cannot be rebound); and the names given with {@code
 * --http-name}, with the port added unless they carry one. A client leaves the port out when it is
 * the scheme's default, so then the bare names are allowed too. Comparison ignores case.
 */
public final class AllowedHosts {
  private final Set<String> hosts;

  private AllowedHosts(Set<String> hosts) {
    this.hosts = Collections.unmodifiableSet(hosts);
  }

  /**
   * The values allowed for an API bound at {@code bound}, configured as {@code configuredHost}.
   *
   * @param names extra names ({@code NAME} or {@code NAME:PORT})
   * @param tls whether the API speaks HTTPS (for the default port)
   */
  public static AllowedHosts of(
      String configuredHost, InetSocketAddress bound, Collection<String> names, boolean tls) {
    int port = bound.getPort();
    Set<String> bare = new TreeSet<>();
    bare.add(literal(configuredHost));
    InetAddress address = bound.getAddress();
    bare.add(literal(address.getHostAddress()));
    if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
      bare.addAll(List.of("localhost", "127.0.0.1", "[::1]"));
    }
    if (address.isAnyLocalAddress()) {
      bare.addAll(interfaceAddresses());
    }
    Set<String> hosts = new TreeSet<>();
    for (String name : names) {
      String n = name.toLowerCase(Locale.ROOT);
      if (hasPort(n)) {
        hosts.add(n);
      } else {
        bare.add(literal(n));
      }
    }
    boolean defaultPort = port == (tls ? 443 : 80);
    for (String h : bare) {
      hosts.add(h + ":" + port);
      if (defaultPort) {
        hosts.add(h);
      }
    }
    return new AllowedHosts(hosts);
  }

  /** Whether a request whose Host header is {@code hostHeader} may be served. */
  public boolean allows(String hostHeader) {
    return hostHeader != null && hosts.contains(hostHeader.trim().toLowerCase(Locale.ROOT));
  }

  /** The allowed values, sorted, for logs and tests. */
  public Set<String> values() {
    return hosts;
  }

  /**
   * {@code host:port} as a client writes it in a URL or a Host header: IPv6 literals in brackets,
   * without a scope.
   */
  public static String authority(String host, int port) {
    return literal(host) + ":" + port;
  }

  /**
   * Where a client on this machine reaches an API bound at {@code bound}: the address itself, or
   * for a wildcard address 127.0.0.1 (Java's wildcard sockets are dual-stack, and report {@code ::}
   * even when asked for 0.0.0.0, so IPv4 loopback is the one that always answers).
   */
  public static String localAuthority(InetSocketAddress bound) {
    InetAddress a = bound.getAddress();
    return authority(a.isAnyLocalAddress() ? "127.0.0.1" : a.getHostAddress(), bound.getPort());
  }

  private static String literal(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    int scope = h.indexOf('%');
    if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
      return "[" + (scope < 0 ? h : h.substring(0, scope)) + "]";
    }
    return h;
  }

  /** {@code [v6]:port} or {@code name:port}; a bare IPv6 literal has colons but no port. */
  private static boolean hasPort(String name) {
    if (name.startsWith("[")) {
      return name.contains("]:");
    }
    int colon = name.indexOf(':');
    return colon >= 0 && colon == name.lastIndexOf(':');
  }

  private static Set<String> interfaceAddresses() {
    Set<String> out = new TreeSet<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          out.add(literal(a.getHostAddress()));
        }
      }
    } catch (SocketException e) {
      // Without the list, clients on this machine still reach it as localhost or 127.0.0.1.
    }
    return out;
  }
}
