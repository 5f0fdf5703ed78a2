package io.shoal.node.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.shoal.gossip.Endpoint;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One outgoing connection per peer address, opened on first use and forgotten when it fails or
 * closes. Past {@link #MAX_OUTGOING} connections the least recently used one is closed.
 * Thread-safe.
 */
final class OutgoingConnections {
  static final int MAX_PENDING_PER_PEER = 256;
  static final int MAX_OUTGOING = 4096;
  static final int CONNECT_TIMEOUT_MILLIS = 3000;

  private static final Logger log = LoggerFactory.getLogger(OutgoingConnections.class);

  private final EventLoopGroup group;
  private final NodeMetrics metrics;
  private final PeerPipeline pipeline;
  private final Map<Endpoint, Outgoing> outgoing = new ConcurrentHashMap<>();
  private final HostResolver resolver;
  private final boolean secured;
  private volatile PeerTransport.DialListener dials = PeerTransport.DialListener.NONE;

  /**
   * @param resolver resolves peer host names off the loops
   * @param secured whether connections use TLS
   */
  OutgoingConnections(
      EventLoopGroup group,
      NodeMetrics metrics,
      PeerPipeline pipeline,
      HostResolver resolver,
      boolean secured) {
    this.group = group;
    this.secured = secured;
    this.resolver = resolver;
    this.metrics = metrics;
    this.pipeline = pipeline;
  }

  void onDial(PeerTransport.DialListener l) {
    this.dials = l;
  }

  /** Sends on the connection to {@code to}, opening it first if there is none. */
  void send(Endpoint to, Object message) {
    Outgoing o = outgoing.get(to);
    if (o == null) {
      if (outgoing.size() >= MAX_OUTGOING) {
        evictOldest();
      }
      Outgoing fresh = new Outgoing(metrics, to, dials);
      o = outgoing.putIfAbsent(to, fresh);
      if (o == null) {
        // Connected outside the map's update: a connect that fails at once removes its entry
        // from within (computeIfAbsent would throw "Recursive update").
        o = fresh;
        o.send(message);
        connect(to, fresh);
        return;
      }
    }
    o.send(message);
  }

  /**
   * Opens a connection to {@code to} with nothing to send yet, unless one is open or opening: what
   * becomes of it goes to the dial listener. False when one was there already.
   */
  boolean open(Endpoint to) {
    if (outgoing.containsKey(to)) {
      return false;
    }
    if (outgoing.size() >= MAX_OUTGOING) {
      evictOldest();
    }
    Outgoing fresh = new Outgoing(metrics, to, dials);
    if (outgoing.putIfAbsent(to, fresh) != null) {
      return false;
    }
    connect(to, fresh);
    return true;
  }

  int size() {
    return outgoing.size();
  }

  /** Adds the open channels to {@code out}. */
  void addChannels(List<Channel> out) {
    for (Outgoing o : outgoing.values()) {
      if (o.channel != null) {
        out.add(o.channel);
      }
    }
  }

  void closeAll() {
    for (Outgoing o : outgoing.values()) {
      if (o.channel != null) {
        o.channel.close();
      }
    }
  }

  /** Flushes what was written on each active connection, waiting until {@code deadlineNanos}. */
  void drain(long deadlineNanos) {
    for (Outgoing o : outgoing.values()) {
      Channel c = o.channel;
      if (c != null && c.isActive()) {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
          c.writeAndFlush(Unpooled.EMPTY_BUFFER)
              .awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left));
        }
      }
    }
  }

  private void connect(Endpoint to, Outgoing o) {
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .resolver(resolver)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(
                    PeerPipeline.WRITE_LOW_WATER_BYTES, PeerPipeline.WRITE_HIGH_WATER_BYTES))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.attr(PeerHandler.OUTGOING).set(o);
                    pipeline.init(ch, true);
                  }
                });
    b.connect(to.host(), to.port())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    log.debug("cannot connect to {}: {}", to, f.cause().toString());
                    outgoing.remove(to, o);
                    o.closed(DialFailure.ofConnect(to.host(), f.cause()), secured);
                  } else {
                    o.channel = f.channel();
                    f.channel()
                        .closeFuture()
                        .addListener(
                            cf -> {
                              outgoing.remove(to, o);
                              o.closed(null, secured);
                            });
                  }
                });
  }

  private void evictOldest() {
    Outgoing oldest = null;
    for (Outgoing o : outgoing.values()) {
      if (oldest == null || o.lastUsedNanos - oldest.lastUsedNanos < 0) {
        oldest = o;
      }
    }
    if (oldest != null && oldest.channel != null) {
      oldest.channel.close();
    }
  }
}
