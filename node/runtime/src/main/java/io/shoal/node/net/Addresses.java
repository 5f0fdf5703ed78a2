package io.shoal.node.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** Picks the address to tell peers when listening on a wildcard address; tells loopback apart. */
public final class Addresses {
  private Addresses() {}

  /**
   * Whether binding {@code host} reaches this machine's loopback interface only (127.0.0.0/8, ::1,
   * or a name that resolves there); a wildcard or unresolvable host is not loopback.
   */
  public static boolean isLoopback(String host) {
    try {
      InetAddress a = InetAddress.getByName(host);
      return a.isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  static String advertisable(String bindHost) {
    if (!bindHost.equals("0.0.0.0") && !bindHost.equals("::") && !bindHost.isEmpty()) {
      return bindHost;
    }
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback() || nif.isVirtual()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      // Fall through to loopback: a single-machine cluster still works.
    }
    return "127.0.0.1";
  }
}
