package io.shoal.node.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Where the HTTP API may listen. On loopback only local users reach it; beyond loopback the network
 * does too, so that takes an explicit {@code --http-expose} and TLS on the API, or the node does
 * not start.
 */
public final class HttpExposure {
  private HttpExposure() {}

  /**
   * Resolves the API's address once (the node binds exactly what was checked).
   *
   * @throws IllegalArgumentException naming the address and the missing flag or certificate
   * @throws UnknownHostException if {@code host} does not resolve
   */
  public static InetSocketAddress resolve(String host, int port, boolean expose, boolean tls)
      throws UnknownHostException {
    InetAddress address = InetAddress.getByName(host);
    String where = AllowedHosts.authority(host, port);
    if (address.isLoopbackAddress()) {
      return new InetSocketAddress(address, port);
    }
    if (!expose) {
      throw new IllegalArgumentException(
          "refusing to serve the HTTP API on "
              + where
              + ", beyond loopback: pass --http-expose to mean it (it also needs TLS on the API)");
    }
    if (!tls) {
      throw new IllegalArgumentException(
          "refusing to serve the HTTP API on "
              + where
              + " without TLS: --http-expose needs a certificate for the API (the node's"
              + " credentials)");
    }
    return new InetSocketAddress(address, port);
  }
}
