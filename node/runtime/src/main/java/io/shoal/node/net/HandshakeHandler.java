package io.shoal.node.net;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.node.net.Handshake.Hello;
import io.shoal.node.net.Handshake.Refused;
import io.shoal.node.security.NodeIds;
import io.shoal.node.security.PeerRefusedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens every peer connection, on both sides alike. On a secured connection it waits for the TLS
 * handshake (whose trust manager has already checked the peer's certificate), then each side sends
 * {@link Hello}; on an insecure one it sends Hello at once. It checks the other's versions, cluster
 * id and, when secured, that the declared node id is the one derived from the peer's certificate.
 * Then it raises the frame bound, removes itself and fires {@link PeerAuthenticated}.
 *
 * <p>Until then nothing but a Hello or a Refused is accepted; anything else is released and
 * refused. A refusal is sent as {@link Refused} when the channel can still carry it, logged once
 * per address per interval, counted by reason, and closes the connection. The whole handshake, TLS
 * included, has {@link #TIMEOUT_SECONDS}.
 */
final class HandshakeHandler extends ChannelDuplexHandler {
  /** Longest a connection may take from accept (or connect) to an accepted Hello. */
  static final long TIMEOUT_SECONDS = 5;

  private static final Logger log = LoggerFactory.getLogger(HandshakeHandler.class);

  /** Who this node is on the wire. */
  record Identity(String clusterId, NodeId nodeId, Endpoint listenAddress) {}

  private enum State {
    AWAIT_TLS,
    AWAIT_HELLO,
    DONE
  }

  private final Identity self;
  private final NodeMetrics metrics;
  private final LogLimiter logLimiter;
  private final ClusterTrustManager trustManager;
  private State state = State.AWAIT_TLS;
  private ScheduledFuture<?> timeout;

  /** {@code trustManager} is the TLS trust of the connection, or null when it is insecure. */
  HandshakeHandler(
      Identity self, NodeMetrics metrics, LogLimiter logLimiter, ClusterTrustManager trustManager) {
    this.self = self;
    this.trustManager = trustManager;
    this.metrics = metrics;
    this.logLimiter = logLimiter;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    timeout =
        ctx.executor()
            .schedule(
                () -> {
                  if (state != State.DONE) {
                    note(
                        ctx,
                        new DialFailure.TimedOut(
                            "handshake not finished within " + TIMEOUT_SECONDS + " s"));
                    refuse(
                        ctx, "handshake not finished within " + TIMEOUT_SECONDS + " s", "timeout");
                  }
                },
                TIMEOUT_SECONDS,
                TimeUnit.SECONDS);
    if (!PeerLink.isEncrypted(ctx.channel())) {
      sendHello(ctx);
    }
    ctx.fireChannelActive();
  }

  private void sendHello(ChannelHandlerContext ctx) {
    state = State.AWAIT_HELLO;
    ctx.writeAndFlush(
        new Hello(
            WireProtocol.MIN_VERSION,
            WireProtocol.MAX_VERSION,
            self.clusterId(),
            self.nodeId(),
            self.listenAddress()));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timeout != null) {
      timeout.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent e && state == State.AWAIT_TLS) {
      if (e.isSuccess()) {
        sendHello(ctx);
      } else {
        onTlsFailure(ctx, e.cause());
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void onTlsFailure(ChannelHandlerContext ctx, Throwable cause) {
    state = State.DONE;
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    PeerRefusedException refusal =
        ssl != null && trustManager != null ? trustManager.takeRefusal(ssl.engine()) : null;
    if (refusal == null) {
      refusal = ClusterTrustManager.refusalIn(cause);
    }
    String reason;
    String metricReason;
    if (refusal != null) {
      reason = refusal.getMessage();
      metricReason = refusal.reason().label();
      note(ctx, new DialFailure.UntrustedPeerCertificate(reason));
    } else if (cause instanceof NotSslRecordException) {
      reason = "not TLS";
      metricReason = "not_tls";
      note(ctx, new DialFailure.NotTls());
    } else if (isAlert(cause)) {
      // The peer aborted: in TLS 1.3 a client checks the server's certificate first, so a
      // stranger refuses this node's certificate before it ever shows its own.
      reason = "the peer aborted the TLS handshake: " + cause.getMessage();
      metricReason = "tls_alert";
      note(ctx, new DialFailure.CertificateRefused(cause.getMessage()));
    } else {
      reason = "TLS handshake failed: " + cause.getMessage();
      metricReason = "tls";
      note(ctx, new DialFailure.Other(reason));
    }
    count(ctx, reason, metricReason);
    ctx.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (state == State.DONE) {
        return; // refused and closing: whatever still arrives is dropped (and released below)
      }
      if (msg instanceof Refused r) {
        String where = PeerTransport.remoteHost(ctx.channel());
        if (logLimiter.allow("refused-by " + where, System.nanoTime())) {
          log.warn("peer at {} refused this node: {}", where, r.reason());
        }
        note(ctx, new DialFailure.RefusedUs(r.reason()));
        state = State.DONE;
        ctx.close();
      } else if (state == State.AWAIT_HELLO && msg instanceof Hello h) {
        onHello(ctx, h);
      } else {
        refuse(
            ctx,
            "unexpected " + msg.getClass().getSimpleName() + " before the handshake completed",
            "protocol");
      }
    } finally {
      ReferenceCountUtil.release(msg); // a ChunkFrame sent early holds up to 4 MiB: never keep it
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
      note(ctx, new DialFailure.OtherCluster(h.clusterId(), self.clusterId()));
      refuse(
          ctx,
          "cluster id '" + h.clusterId() + "' is not this node's '" + self.clusterId() + "'",
          "cluster_id");
      return;
    }
    byte[] certificate = new byte[0];
    NodeId peerId = h.nodeId();
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl != null) {
      X509Certificate cert = peerCertificate(ssl);
      if (cert == null) {
        refuse(ctx, "no verified peer certificate", "no_certificate");
        return;
      }
      peerId = NodeIds.of(cert);
      if (!peerId.equals(h.nodeId())) {
        refuse(
            ctx,
            "declared node id "
                + h.nodeId().toHex()
                + " is not the id of its certificate, "
                + peerId.toHex(),
            "node_id");
        return;
      }
      try {
        certificate = cert.getEncoded();
      } catch (java.security.cert.CertificateEncodingException e) {
        refuse(ctx, "peer certificate does not encode", "no_certificate");
        return;
      }
    }
    if (peerId.equals(self.nodeId())) {
      note(ctx, new DialFailure.Itself());
      state = State.DONE;
      ctx.close(); // connected to ourselves through an address of our own
      return;
    }
    state = State.DONE;
    timeout.cancel(false);
    FrameDecoder frames = ctx.pipeline().get(FrameDecoder.class);
    if (frames != null) {
      frames.authenticated();
    }
    ctx.pipeline().remove(this);
    ctx.fireUserEventTriggered(new PeerAuthenticated(peerId, h.listenAddress(), high, certificate));
  }

  private static X509Certificate peerCertificate(SslHandler ssl) {
    try {
      Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (c instanceof SSLException) {
      // The TLS handshake failed: SslHandler reports it again as a completion event, which
      // counts and logs it once; here it only must not reach the log as an unexpected error. In
      // TLS 1.3 a client's handshake ends before the server checks its certificate: the server's
      // refusal arrives as an alert here, after the handshake.
      note(
          ctx,
          isAlert(c)
              ? new DialFailure.CertificateRefused(c.getMessage())
              : new DialFailure.Other("TLS failed: " + c.getMessage()));
      state = State.DONE;
      ctx.close();
      return;
    }
    if (c instanceof TooLongFrameException) {
      metrics.handshakesRefused.labelValues("frame_too_large").inc();
    }
    state = State.DONE;
    ctx.fireExceptionCaught(cause);
  }

  private void refuse(ChannelHandlerContext ctx, String reason, String metricReason) {
    note(ctx, new DialFailure.Other(reason));
    count(ctx, reason, metricReason);
    boolean canTell = state == State.AWAIT_HELLO;
    state = State.DONE;
    if (canTell) {
      ctx.writeAndFlush(new Refused(reason)).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }

  private static boolean isAlert(Throwable cause) {
    return String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("alert");
  }

  /** Tells a connection this node opened why it is failing (the first reason noted is kept). */
  private static void note(ChannelHandlerContext ctx, DialFailure why) {
    Outgoing o = ctx.channel().attr(PeerHandler.OUTGOING).get();
    if (o != null) {
      o.noteFailure(why);
    }
  }

  private void count(ChannelHandlerContext ctx, String reason, String metricReason) {
    metrics.handshakesRefused.labelValues(metricReason).inc();
    String where = PeerTransport.remoteHost(ctx.channel());
    if (logLimiter.allow("refuse " + where + " " + metricReason, System.nanoTime())) {
      log.warn("refused peer at {}: {}", where, reason);
    }
  }
}
