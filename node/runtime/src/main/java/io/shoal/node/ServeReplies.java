package io.shoal.node;

import io.shoal.node.core.TransferMessage.ChunkRefused;
import io.shoal.node.core.TransferSession;
import io.shoal.node.core.UploadCore;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerLink;

/**
 * Takes what became of each chunk serve ({@link ChunkServer.Done}) back to the transfer session, on
 * the transfer loop through its inbox: the bytes sent, or that the chunk was not found, or that the
 * pool was full (the requester is told to ask later).
 */
final class ServeReplies implements ChunkServer.Done {
  private final TransferInbox inbox;
  private final TransferSession session; // transfer loop only
  private final PeerRoutes routes;
  private final NodeMetrics metrics;

  ServeReplies(
      TransferInbox inbox, TransferSession session, PeerRoutes routes, NodeMetrics metrics) {
    this.inbox = inbox;
    this.session = session;
    this.routes = routes;
    this.metrics = metrics;
  }

  @Override
  public void served(UploadCore.Serve s, int wireBytes) {
    if (wireBytes > 0) {
      metrics.chunkBytesSent(wireBytes);
      metrics.chunksServed.inc();
    }
    inbox.input(now -> session.onServed(s.peer(), wireBytes, now));
  }

  @Override
  public void notFound(UploadCore.Serve s) {
    inbox.input(now -> session.onServeFailed(s, now));
  }

  @Override
  public void busy(UploadCore.Serve s) {
    inbox.input(
        now -> {
          session.onServed(s.peer(), 0, now);
          PeerLink link = routes.requesterLink(s.peer());
          if (link != null) {
            link.send(new ChunkRefused(s.requestId(), ChunkRefused.Reason.BUSY));
          }
        });
  }
}
