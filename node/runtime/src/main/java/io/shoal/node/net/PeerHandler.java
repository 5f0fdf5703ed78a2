package io.shoal.node.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a peer connection: once the handshake authenticates the peer, records who it
 * is on the channel, gives back its handshake place, releases the messages waiting to go out, and
 * from then on delivers every message the filter accepts to the listener. A decoding failure closes
 * this one connection. One instance per channel.
 */
final class PeerHandler extends ChannelInboundHandlerAdapter {
  /** Who the peer of a connection proved to be, once authenticated. */
  static final AttributeKey<PeerAuthenticated> PEER = AttributeKey.valueOf("shoal.peer");

  /** The connection as the listener sees it, once authenticated. */
  static final AttributeKey<PeerLink> LINK = AttributeKey.valueOf("shoal.link");

  /** The outgoing connection whose waiting messages go out once authenticated. */
  static final AttributeKey<Outgoing> OUTGOING = AttributeKey.valueOf("shoal.outgoing");

  /** Gives back an incoming connection's handshake place; run once. */
  static final AttributeKey<Runnable> QUOTA = AttributeKey.valueOf("shoal.quota");

  private static final Logger log = LoggerFactory.getLogger(PeerHandler.class);

  private final PeerTransport.Listener listener;
  private final Supplier<TransportFilter> filter;
  private final NodeMetrics metrics;
  private final LogLimiter logLimiter;

  /**
   * @param filter the transport's filter at the time each message arrives
   */
  PeerHandler(
      PeerTransport.Listener listener,
      Supplier<TransportFilter> filter,
      NodeMetrics metrics,
      LogLimiter logLimiter) {
    this.listener = listener;
    this.filter = filter;
    this.metrics = metrics;
    this.logLimiter = logLimiter;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof PeerAuthenticated p) {
      Runnable giveBack = ctx.channel().attr(QUOTA).getAndSet(null);
      if (giveBack != null) {
        giveBack.run();
      }
      PeerLink link = new PeerLink(ctx.channel(), p);
      ctx.channel().attr(PEER).set(p);
      ctx.channel().attr(LINK).set(link);
      listener.onAuthenticated(link);
      Outgoing o = ctx.channel().attr(OUTGOING).get();
      if (o != null) {
        o.ready(ctx.channel(), p.nodeId());
      }
    } else if (evt instanceof IdleStateEvent) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    PeerAuthenticated p = ctx.channel().attr(PEER).get();
    if (p != null && filter.get().accept(p.nodeId())) {
      listener.onMessage(p.nodeId(), p.listenAddress(), ctx.channel().attr(LINK).get(), msg);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    PeerLink link = ctx.channel().attr(LINK).get();
    if (link != null) {
      listener.onWritability(link, ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    PeerLink link = ctx.channel().attr(LINK).get();
    if (link != null) {
      listener.onDisconnected(link);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    String where = PeerTransport.remoteHost(ctx.channel());
    if (c instanceof MalformedMessageException
        || c instanceof TooLongFrameException
        || c instanceof CorruptedFrameException) {
      metrics.malformedFrames.inc();
      if (logLimiter.allow("malformed " + where, System.nanoTime())) {
        log.warn("closed connection from {}: malformed frame ({})", where, c.getMessage());
      }
    } else if (c instanceof SSLException) {
      if (logLimiter.allow("tls " + where, System.nanoTime())) {
        log.warn("closed connection to {}: TLS failed ({})", where, c.getMessage());
      }
    } else if (c instanceof IOException) {
      log.debug("connection to {} failed: {}", where, c.toString());
    } else {
      log.warn("closed connection to {} after an unexpected error: {}", where, c.toString());
    }
    ctx.close();
  }
}
