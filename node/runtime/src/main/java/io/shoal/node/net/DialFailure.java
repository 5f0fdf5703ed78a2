package io.shoal.node.net;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Why a connection this node opened to a peer address never passed the handshake: one record per
 * cause, each with a line an operator can act on ({@link #describe}).
 */
public sealed interface DialFailure {
  /** One line: what happened, and where relevant what to check. */
  String describe();

  /** Nothing accepts connections at the address. */
  record ConnectionRefused() implements DialFailure {
    @Override
    public String describe() {
      return "connection refused (is a node listening there?)";
    }
  }

  /** The host name does not resolve to an address. */
  record Unresolvable(String host) implements DialFailure {
    @Override
    public String describe() {
      return "host name '" + host + "' does not resolve";
    }
  }

  /** The connection or its handshake took longer than its bound. */
  record TimedOut(String what) implements DialFailure {
    @Override
    public String describe() {
      return what;
    }
  }

  /** This node's credentials do not trust the peer's certificate: another cluster's CA, say. */
  record UntrustedPeerCertificate(String detail) implements DialFailure {
    @Override
    public String describe() {
      return "TLS: our credentials refuse its certificate (another cluster's CA, or wrong"
          + " --credentials?): "
          + detail;
    }
  }

  /** The peer aborted the TLS handshake: it does not accept this node's certificate. */
  record CertificateRefused(String detail) implements DialFailure {
    @Override
    public String describe() {
      return "TLS: it refused our certificate (wrong --credentials, another cluster, or revoked): "
          + detail;
    }
  }

  /** This node speaks TLS and the peer answered in plain text: an insecure node. */
  record NotTls() implements DialFailure {
    @Override
    public String describe() {
      return "it does not speak TLS (an insecure node: fetch without --credentials)";
    }
  }

  /** The peer's Hello names another cluster. */
  record OtherCluster(String theirs, String ours) implements DialFailure {
    @Override
    public String describe() {
      return "other cluster: it is in cluster '" + theirs + "', this node in '" + ours + "'";
    }
  }

  /** The peer sent a refusal with its reason. */
  record RefusedUs(String reason) implements DialFailure {
    @Override
    public String describe() {
      return "it refused this node: " + reason;
    }
  }

  /** The peer closed the connection before the handshake finished, without saying why. */
  record ClosedDuringHandshake(boolean secured) implements DialFailure {
    @Override
    public String describe() {
      return secured
          ? "it closed the connection during the handshake (see its log)"
          : "it closed the connection during the handshake (a secured node? pass --credentials)";
    }
  }

  /** The address is this node's own. */
  record Itself() implements DialFailure {
    @Override
    public String describe() {
      return "it is this node itself";
    }
  }

  /** Anything else, as its message says. */
  record Other(String detail) implements DialFailure {
    @Override
    public String describe() {
      return detail;
    }
  }

  /** The failure a failed connect attempt to {@code host} reports. */
  static DialFailure ofConnect(String host, Throwable cause) {
    if (cause instanceof UnknownHostException) {
      return new Unresolvable(host);
    }
    if (cause instanceof io.netty.channel.ConnectTimeoutException) {
      return new TimedOut(
          "no answer to the connection within "
              + OutgoingConnections.CONNECT_TIMEOUT_MILLIS
              + " ms");
    }
    if (cause instanceof ConnectException
        && String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).contains("refused")) {
      return new ConnectionRefused();
    }
    return new Other(cause.getMessage() == null ? cause.toString() : cause.getMessage());
  }
}
