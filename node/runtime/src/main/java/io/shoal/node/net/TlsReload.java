package io.shoal.node.net;

import io.netty.channel.Channel;
import io.shoal.node.security.ClusterTrust;
import io.shoal.node.security.PeerRefusedException;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What renewed or re-read credentials do to the open connections: those whose peer the new trust
 * refuses (revoked, say) are closed, and all of them when this node's own certificate changed, so
 * peers reconnect and see the new one.
 */
final class TlsReload {
  private static final Logger log = LoggerFactory.getLogger(TlsReload.class);

  private TlsReload() {}

  /** Closes the channels the new trust refuses (all when the own certificate changed). */
  static int closeRefused(
      List<Channel> channels, ClusterTrust trust, boolean ownCertificateChanged, Instant at) {
    int closed = 0;
    for (Channel c : channels) {
      PeerAuthenticated p = c.attr(PeerHandler.PEER).get();
      String why =
          ownCertificateChanged ? "this node's certificate was renewed" : refusalOf(trust, p, at);
      if (why != null) {
        log.info(
            "closing the connection to {}: {}",
            p == null ? PeerTransport.remoteHost(c) : p.nodeId().shortHex(),
            why);
        c.close();
        closed++;
      }
    }
    return closed;
  }

  /** Why {@code trust} would now refuse the peer of a connection, or null if it still admits it. */
  private static String refusalOf(ClusterTrust trust, PeerAuthenticated p, Instant at) {
    if (p == null || !p.isVerified()) {
      return null; // still in its handshake: the new trust manager decides
    }
    try {
      trust.check(p.certificate(), at);
      return null;
    } catch (PeerRefusedException e) {
      return e.getMessage();
    }
  }
}
