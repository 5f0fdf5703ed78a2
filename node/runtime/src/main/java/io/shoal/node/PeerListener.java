package io.shoal.node;

import io.shoal.gossip.Credential;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipMessage;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.membership.CatalogSyncPage;
import io.shoal.node.core.membership.CatalogSyncRequest;
import io.shoal.node.core.membership.ViewFrame;
import io.shoal.node.net.LogTail;
import io.shoal.node.net.PeerAuthenticated;
import io.shoal.node.net.PeerLink;
import io.shoal.node.net.PeerTransport;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What the peer transport reports, sent where it belongs: gossip messages to the gossip driver,
 * change logs' tails to {@link LogTails}, everything else (transfer messages, writability,
 * disconnections) to the transfer service, and each authenticated peer's certificate to the
 * membership and to the node's listener. Called on Netty's loops; must not block.
 *
 * <p>The transport starts before the driver and the transfer service exist (they need it to send),
 * so they are connected once built ({@link #connect}).
 */
final class PeerListener implements PeerTransport.Listener {
  private volatile GossipDriver driver;
  private volatile ViewDriver views;
  private volatile ViewCatalogDriver catalogs;
  private volatile TransferService transfers;
  private volatile LogTails tails;
  private volatile Consumer<PeerAuthenticated> authenticated = p -> {};
  private volatile SeedWatch seeds;

  void connect(GossipDriver driver) {
    this.driver = driver;
  }

  /** In views mode: view frames go to {@code v}, and SWIM messages are refused. */
  void connect(ViewDriver v) {
    this.views = v;
  }

  /** In views mode: catalog sync requests and pages go to {@code c}. */
  void connect(ViewCatalogDriver c) {
    this.catalogs = c;
  }

  void connect(TransferService transfers) {
    this.transfers = transfers;
  }

  /** The change logs' tail requests and replies go to {@code t}. */
  void connect(LogTails t) {
    this.tails = t;
  }

  /** Starts asking the writers of the logs this node replicates for their newest records. */
  void startTails() {
    tails.start();
  }

  /** Stops the log tails' thread, if they were connected. */
  void closeTails() {
    LogTails t = tails;
    if (t != null) {
      t.close();
    }
  }

  /** Tells {@code watch} of each push-pull reply, so it knows which seeds answered. */
  void watchSeeds(SeedWatch watch) {
    this.seeds = watch;
  }

  /** Calls {@code l} with each peer that passes the handshake (see {@link ShoalNode}). */
  void onAuthenticated(Consumer<PeerAuthenticated> l) {
    authenticated = Objects.requireNonNull(l, "l");
  }

  @Override
  public void onMessage(NodeId from, Endpoint fromAddress, PeerLink link, Object message) {
    ViewDriver v = views;
    if (message instanceof ViewFrame f) {
      if (v != null) {
        v.onFrame(from, fromAddress, f);
      } // else: this node runs full membership, and the sender is misconfigured
    } else if (message instanceof CatalogSyncRequest || message instanceof CatalogSyncPage) {
      ViewCatalogDriver c = catalogs;
      if (c != null) {
        c.onMessage(from, fromAddress, message);
      } // else: this node runs full membership, and the sender is misconfigured
    } else if (message instanceof LogTail.Request || message instanceof LogTail.Reply) {
      LogTails t = tails;
      if (t != null) {
        t.onMessage(from, link, message);
      } // else: the node is still starting; the follower asks again
    } else if (v != null && message instanceof GossipMessage) {
      v.onFullMembershipMessage();
    } else if (message instanceof GossipMessage g) {
      driver.onMessage(from, fromAddress, g);
      SeedWatch w = seeds;
      if (w != null
          && g instanceof GossipMessage.Sync s
          && s.phase() == GossipMessage.Sync.Phase.REPLY) {
        // After the driver has it: a fetch that sees the answer then reads the core after it.
        w.onReply(from);
      }
    } else {
      transfers.onMessage(from, link, message);
    }
  }

  @Override
  public void onWritability(PeerLink link, boolean writable) {
    transfers.onWritability(link, writable);
  }

  @Override
  public void onAuthenticated(PeerLink link) {
    PeerAuthenticated peer = link.authenticated();
    GossipDriver d = driver; // null while the node is still starting
    if (peer.isVerified() && d != null) {
      // The core can check this peer's own claims before gossip brings its credential entry.
      d.execute(
          m ->
              m.onPeerCredential(
                  peer.nodeId(), Credential.of(peer.certificate()), System.nanoTime()));
    }
    authenticated.accept(peer);
  }

  @Override
  public void onDisconnected(PeerLink link) {
    transfers.onDisconnected(link);
    ViewDriver v = views;
    if (v != null) {
      v.onDisconnected(link.peer());
    }
  }
}
