package io.shoal.node.net;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.node.net.Handshake.AuthProof;
import io.shoal.node.net.Handshake.Hello;
import io.shoal.node.net.Handshake.Refused;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens every peer connection, on both sides alike: each sends {@link Hello}, checks the other's
 * versions and cluster id, proves knowledge of the cluster key with an HMAC over both nonces and
 * both ids ({@link AuthProof}), and checks the other's proof. Then it removes itself and fires
 * {@link PeerAuthenticated}. A refusal is sent as {@link Refused}, logged once per address per
 * interval, counted, and closes the connection.
 */
final class HandshakeHandler extends ChannelDuplexHandler {
  static final long TIMEOUT_SECONDS = 5;
  private static final Logger log = LoggerFactory.getLogger(HandshakeHandler.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Who this node is on the wire. */
  record Identity(String clusterId, ClusterKey key, NodeId nodeId, Endpoint listenAddress) {}

  private enum State {
    AWAIT_HELLO,
    AWAIT_PROOF,
    DONE
  }

  private final Identity self;
  private final NodeMetrics metrics;
  private final LogLimiter logLimiter;
  private final byte[] nonce = new byte[WireProtocol.NONCE_BYTES];
  private State state = State.AWAIT_HELLO;
  private Hello peer;
  private int version;
  private ScheduledFuture<?> timeout;

  HandshakeHandler(Identity self, NodeMetrics metrics, LogLimiter logLimiter) {
    this.self = self;
    this.metrics = metrics;
    this.logLimiter = logLimiter;
    RANDOM.nextBytes(nonce);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(
        new Hello(
            WireProtocol.MIN_VERSION,
            WireProtocol.MAX_VERSION,
            self.clusterId(),
            self.nodeId(),
            self.listenAddress(),
            nonce));
    timeout =
        ctx.executor()
            .schedule(
                () -> {
                  if (state != State.DONE) {
                    refuse(
                        ctx, "handshake not finished within " + TIMEOUT_SECONDS + " s", "timeout");
                  }
                },
                TIMEOUT_SECONDS,
                TimeUnit.SECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timeout != null) {
      timeout.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (state == State.DONE) {
      ctx.fireChannelRead(msg);
    } else if (msg instanceof Refused r) {
      String where = PeerTransport.remoteHost(ctx.channel());
      if (logLimiter.allow("refused-by " + where, System.nanoTime())) {
        log.warn("peer at {} refused this node: {}", where, r.reason());
      }
      ctx.close();
    } else if (state == State.AWAIT_HELLO && msg instanceof Hello h) {
      onHello(ctx, h);
    } else if (state == State.AWAIT_PROOF && msg instanceof AuthProof p) {
      onProof(ctx, p);
    } else {
      refuse(
          ctx,
          "unexpected " + msg.getClass().getSimpleName() + " before the handshake completed",
          "protocol");
    }
  }

  private void onHello(ChannelHandlerContext ctx, Hello h) {
    int low = Math.max(h.minVersion(), WireProtocol.MIN_VERSION);
    int high = Math.min(h.maxVersion(), WireProtocol.MAX_VERSION);
    if (low > high) {
      refuse(
          ctx,
          "no common protocol version: peer speaks "
              + h.minVersion()
              + ".."
              + h.maxVersion()
              + ", this node "
              + WireProtocol.MIN_VERSION
              + ".."
              + WireProtocol.MAX_VERSION,
          "version");
      return;
    }
    if (!h.clusterId().equals(self.clusterId())) {
      refuse(
          ctx,
          "cluster id '" + h.clusterId() + "' is not this node's '" + self.clusterId() + "'",
          "cluster_id");
      return;
    }
    if (h.nodeId().equals(self.nodeId())) {
      ctx.close(); // connected to ourselves through an address of our own
      return;
    }
    peer = h;
    version = high;
    state = State.AWAIT_PROOF;
    byte[] mac =
        self.key()
            .proof(
                h.nonce(),
                nonce,
                ClusterKey.idBytes(self.nodeId()),
                ClusterKey.idBytes(h.nodeId()));
    ctx.writeAndFlush(new AuthProof(mac));
  }

  private void onProof(ChannelHandlerContext ctx, AuthProof p) {
    byte[] expected =
        self.key()
            .proof(
                nonce,
                peer.nonce(),
                ClusterKey.idBytes(peer.nodeId()),
                ClusterKey.idBytes(self.nodeId()));
    if (!ClusterKey.matches(expected, p.mac())) {
      refuse(ctx, "authentication failed: the peer does not hold this cluster's key", "bad_key");
      return;
    }
    state = State.DONE;
    timeout.cancel(false);
    ctx.pipeline().remove(this);
    ctx.fireUserEventTriggered(new PeerAuthenticated(peer.nodeId(), peer.listenAddress(), version));
  }

  private void refuse(ChannelHandlerContext ctx, String reason, String metricReason) {
    metrics.handshakesRefused.labelValues(metricReason).inc();
    String where = PeerTransport.remoteHost(ctx.channel());
    if (logLimiter.allow("refuse " + where + " " + metricReason, System.nanoTime())) {
      log.warn("refused peer at {}: {}", where, reason);
    }
    state = State.DONE;
    ctx.writeAndFlush(new Refused(reason)).addListener(ChannelFutureListener.CLOSE);
  }
}
