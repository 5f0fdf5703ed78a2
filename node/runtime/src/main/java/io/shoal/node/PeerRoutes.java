package io.shoal.node;

import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.FetchCore;
import io.shoal.node.core.TransferMessage;
import io.shoal.node.core.TransferMessage.Cancel;
import io.shoal.node.core.TransferMessage.HaveQuery;
import io.shoal.node.core.TransferMessage.Request;
import io.shoal.node.core.membership.SwarmDirectory;
import io.shoal.node.net.PeerLink;
import io.shoal.node.net.PeerTransport;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the transfer session's messages go: requests (chunk requests, cancels, have-queries) out on
 * this node's own connection to the peer, found by its gossip address; answers and chunks back over
 * the connection the peer asked on. Every chunk request is also told to the {@link ChunkReceiver},
 * which checks the reply on an I/O thread. Transfer loop only.
 */
final class PeerRoutes {
  private final SwarmDirectory directory;
  private final PeerTransport transport;
  private final ChunkReceiver receiver;

  /** The connection each peer last asked over: answers and chunks go back on it. */
  private final Map<NodeId, PeerLink> requesterLinks = new HashMap<>();

  PeerRoutes(SwarmDirectory directory, PeerTransport transport, ChunkReceiver receiver) {
    this.directory = directory;
    this.transport = transport;
    this.receiver = receiver;
  }

  /** {@code from} sent {@code m} over {@code link}. */
  void heard(NodeId from, PeerLink link, TransferMessage m) {
    if (isRequest(m)) {
      requesterLinks.put(from, link);
    }
  }

  /** The connection {@code peer} last asked over, or null. */
  PeerLink requesterLink(NodeId peer) {
    return requesterLinks.get(peer);
  }

  /** Whether {@code link} is the one its peer asks over. */
  boolean isRequesterLink(PeerLink link) {
    return link.equals(requesterLinks.get(link.peer()));
  }

  /** The connection closed; returns whether its peer asked over it (its requests are gone). */
  boolean closed(PeerLink link) {
    return requesterLinks.remove(link.peer(), link);
  }

  /** Sends {@code o}; {@code job} is the fetch a chunk request serves (null for other messages). */
  void send(FetchCore.Outbound o, FetchJob job) {
    TransferMessage m = o.message();
    if (isRequest(m)) {
      if (m instanceof Request r && job != null) {
        receiver.requested(r.requestId(), job, r.id(), r.bases(), o.peer());
      } else if (m instanceof Cancel c) {
        receiver.withdrawn(c.requestId());
      }
      Endpoint to = directory.address(o.peer());
      if (to != null) {
        transport.send(to, m);
      }
      return;
    }
    PeerLink link = requesterLinks.get(o.peer());
    if (link != null) {
      link.send(m);
    }
  }

  private static boolean isRequest(TransferMessage m) {
    return m instanceof Request || m instanceof Cancel || m instanceof HaveQuery;
  }
}
