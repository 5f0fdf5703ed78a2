package io.shoal.node.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.node.security.ClusterTrust;
import io.shoal.node.security.NodeCredentials;
import io.shoal.node.security.PeerRefusedException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticated connections to peers, one outgoing connection per peer address, created on first
 * use: TLS 1.3 with mutual authentication when the node has credentials ({@link PeerTls}), plain
 * TCP when it runs insecure. Messages to a peer whose connection is still opening wait in a short
 * bounded queue; past it, or while the socket is not writable, they are dropped and counted: gossip
 * tolerates loss, and nothing queues without bound. Incoming connections are served the same way;
 * every authenticated message goes to the listener with the peer's id and address.
 *
 * <p>Thread-safe; the listener is called on Netty event loops and must not block.
 */
public final class PeerTransport implements AutoCloseable {
  /**
   * Receives authenticated traffic. Called on event loops; must not block. A {@link ChunkFrame} is
   * reference-counted: the listener releases it.
   */
  public interface Listener {
    void onMessage(NodeId from, Endpoint fromAddress, PeerLink link, Object message);

    /** The connection's send buffer crossed a water mark. */
    default void onWritability(PeerLink link, boolean writable) {}

    /** A connection passed the handshake; {@link PeerLink#authenticated} says who it is. */
    default void onAuthenticated(PeerLink link) {}

    /** An authenticated connection closed. */
    default void onDisconnected(PeerLink link) {}
  }

  /** Send buffer marks: above the high mark a connection reports unwritable. */
  static final int WRITE_LOW_WATER_BYTES = 2 << 20;

  static final int WRITE_HIGH_WATER_BYTES = 8 << 20;

  static final int MAX_PENDING_PER_PEER = 256;
  static final int MAX_OUTGOING = 4096;
  static final int MAX_INCOMING = 4096;
  static final int CONNECT_TIMEOUT_MILLIS = 3000;
  static final int IDLE_CLOSE_SECONDS = 120;

  /** Connections from one remote address that may be in their handshake at once. */
  static final int MAX_UNAUTHENTICATED_PER_ADDRESS = 8;

  /** Connections that may be in their handshake at once, from anywhere. */
  static final int MAX_UNAUTHENTICATED = 256;

  private static final Logger log = LoggerFactory.getLogger(PeerTransport.class);
  private static final AttributeKey<PeerAuthenticated> PEER = AttributeKey.valueOf("shoal.peer");
  private static final AttributeKey<PeerLink> LINK = AttributeKey.valueOf("shoal.link");
  private static final AttributeKey<Outgoing> OUTGOING = AttributeKey.valueOf("shoal.outgoing");
  private static final AttributeKey<Runnable> QUOTA = AttributeKey.valueOf("shoal.quota");

  private final String clusterId;
  private final PeerTls tls;
  private final NodeId selfId;
  private final EventLoopGroup group;
  private final NodeMetrics metrics;
  private final Listener listener;
  private final LogLimiter logLimiter = new LogLimiter(TimeUnit.MINUTES.toNanos(10));
  private final Map<Endpoint, Outgoing> outgoing = new ConcurrentHashMap<>();
  private final Map<Channel, Boolean> incoming = new ConcurrentHashMap<>();
  private final HandshakeQuota quota =
      new HandshakeQuota(MAX_UNAUTHENTICATED_PER_ADDRESS, MAX_UNAUTHENTICATED);
  private volatile TransportFilter filter = TransportFilter.allowAll();
  private volatile Endpoint advertised;
  private volatile boolean closed;
  private Channel server;

  /**
   * A transport for the node {@code selfId}: secured by {@code credentials}, or insecure (plain
   * TCP, ids as declared) when they are null.
   *
   * @throws SSLException when the TLS contexts cannot be built from the credentials
   */
  public PeerTransport(
      String clusterId,
      NodeId selfId,
      NodeCredentials credentials,
      EventLoopGroup group,
      NodeMetrics metrics,
      Listener listener)
      throws SSLException {
    this.clusterId = clusterId;
    this.tls = credentials == null ? null : new PeerTls(credentials);
    this.selfId = selfId;
    this.group = group;
    this.metrics = metrics;
    this.listener = listener;
    metrics.gauge(
        "shoal_peer_connections",
        "Open authenticated or opening peer connections",
        () -> outgoing.size() + incoming.size());
  }

  /**
   * Listens on {@code host:port} (port 0 lets the OS choose) and returns the address peers are
   * told: {@code advertise} when given, else the bound address.
   */
  public Endpoint bind(String host, int port, Endpoint advertise) throws IOException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new io.netty.channel.WriteBufferWaterMark(
                    WRITE_LOW_WATER_BYTES, WRITE_HIGH_WATER_BYTES))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (incoming.size() >= MAX_INCOMING) {
                      metrics.dropped("too_many_connections");
                      ch.close();
                      return;
                    }
                    String from = remoteHost(ch);
                    HandshakeQuota.Refusal full = quota.tryAcquire(from);
                    if (full != null) {
                      metrics.handshakesRefused.labelValues(full.label()).inc();
                      if (logLimiter.allow("quota " + from, System.nanoTime())) {
                        log.warn(
                            "refused a connection from {}: {} connections from it or {} in all"
                                + " are still in their handshake",
                            from,
                            MAX_UNAUTHENTICATED_PER_ADDRESS,
                            MAX_UNAUTHENTICATED);
                      }
                      ch.close();
                      return;
                    }
                    AtomicBoolean held = new AtomicBoolean(true);
                    Runnable giveBack =
                        () -> {
                          if (held.getAndSet(false)) {
                            quota.release(from);
                          }
                        };
                    ch.attr(QUOTA).set(giveBack);
                    incoming.put(ch, Boolean.TRUE);
                    ch.closeFuture()
                        .addListener(
                            f -> {
                              incoming.remove(ch);
                              giveBack.run();
                            });
                    initPipeline(ch, false);
                  }
                });
    try {
      server = b.bind(host, port).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding " + host + ":" + port, e);
    } catch (Exception e) {
      throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    InetSocketAddress bound = (InetSocketAddress) server.localAddress();
    advertised =
        advertise != null ? advertise : new Endpoint(Addresses.advertisable(host), bound.getPort());
    return advertised;
  }

  /** The port actually bound. */
  public int boundPort() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public void setFilter(TransportFilter filter) {
    this.filter = filter;
  }

  /** Sends a control message to the peer listening at {@code to}. */
  public void send(Endpoint to, Object message) {
    if (closed) {
      return;
    }
    Outgoing o = outgoing.get(to);
    if (o == null) {
      if (outgoing.size() >= MAX_OUTGOING) {
        evictOldest();
      }
      o = outgoing.computeIfAbsent(to, this::connect);
    }
    o.send(message);
  }

  public int connectionCount() {
    return outgoing.size() + incoming.size();
  }

  /** Whether connections are secured with TLS. */
  public boolean isSecure() {
    return tls != null;
  }

  /** The TLS provider in use ("OPENSSL" or "JDK"), or "none" when insecure. */
  public String tlsProvider() {
    return tls == null ? "none" : tls.provider().name();
  }

  /**
   * Uses renewed or re-read credentials from now on: new connections present the new certificate
   * and are checked against the new revocation list; open connections whose peer the new trust
   * refuses (revoked, say) are closed. When this node's own certificate changed, every connection
   * is closed, so peers reconnect and see the new one. Returns the connections closed.
   */
  public int updateCredentials(NodeCredentials now, boolean ownCertificateChanged)
      throws SSLException {
    if (tls == null) {
      throw new IllegalStateException("an insecure transport has no credentials to update");
    }
    tls.update(now);
    int closed = 0;
    Instant at = Instant.now();
    for (Channel c : channels()) {
      PeerAuthenticated p = c.attr(PEER).get();
      String why =
          ownCertificateChanged
              ? "this node's certificate was renewed"
              : refusalOf(now.trust(), p, at);
      if (why != null) {
        log.info(
            "closing the connection to {}: {}",
            p == null ? remoteHost(c) : p.nodeId().shortHex(),
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

  /** The peers of the open authenticated connections, with their certificates. */
  public List<PeerAuthenticated> authenticatedPeers() {
    List<PeerAuthenticated> out = new ArrayList<>();
    for (Channel c : channels()) {
      PeerAuthenticated p = c.attr(PEER).get();
      if (p != null && c.isActive()) {
        out.add(p);
      }
    }
    return out;
  }

  private List<Channel> channels() {
    List<Channel> all = new ArrayList<>(incoming.keySet());
    for (Outgoing o : outgoing.values()) {
      if (o.channel != null) {
        all.add(o.channel);
      }
    }
    return all;
  }

  private void initPipeline(Channel ch, boolean client) {
    if (tls != null) {
      ch.pipeline().addLast("tls", tls.newHandler(ch, client));
    }
    ch.pipeline()
        // Many small messages (chunk requests, have updates) leave in one syscall, not one each.
        .addLast(
            "flush",
            new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true))
        .addLast("idle", new IdleStateHandler(0, 0, IDLE_CLOSE_SECONDS))
        .addLast("frames", FrameCodec.frameDecoder())
        .addLast("decode", new FrameCodec.MessageDecoder(metrics))
        .addLast("encode", new FrameCodec.MessageEncoder(metrics))
        .addLast(
            "handshake",
            new HandshakeHandler(
                new HandshakeHandler.Identity(clusterId, selfId, advertised),
                metrics,
                logLimiter,
                tls == null ? null : tls.trustManager()))
        .addLast("peer", new PeerHandler());
  }

  private Outgoing connect(Endpoint to) {
    Outgoing o = new Outgoing();
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new io.netty.channel.WriteBufferWaterMark(
                    WRITE_LOW_WATER_BYTES, WRITE_HIGH_WATER_BYTES))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.attr(OUTGOING).set(o);
                    initPipeline(ch, true);
                  }
                });
    b.connect(to.host(), to.port())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    log.debug("cannot connect to {}: {}", to, f.cause().toString());
                    outgoing.remove(to, o);
                    o.closed();
                  } else {
                    o.channel = f.channel();
                    f.channel()
                        .closeFuture()
                        .addListener(
                            cf -> {
                              outgoing.remove(to, o);
                              o.closed();
                            });
                  }
                });
    return o;
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

  @Override
  public void close() {
    closed = true;
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    for (Outgoing o : outgoing.values()) {
      if (o.channel != null) {
        o.channel.close();
      }
    }
    for (Channel c : incoming.keySet()) {
      c.close();
    }
    if (tls != null) {
      tls.close();
    }
  }

  /** Flushes what was written and closes every connection, waiting up to {@code millis}. */
  public void drainAndClose(long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    for (Outgoing o : outgoing.values()) {
      Channel c = o.channel;
      if (c != null && c.isActive()) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          c.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
              .awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left));
        }
      }
    }
    close();
  }

  static String remoteHost(Channel ch) {
    return ch.remoteAddress() instanceof InetSocketAddress a
        ? a.getHostString()
        : String.valueOf(ch.remoteAddress());
  }

  /** One outgoing connection and the messages waiting for its handshake. */
  private final class Outgoing {
    volatile Channel channel;
    volatile long lastUsedNanos = System.nanoTime();
    private boolean ready;
    private boolean dead;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();

    synchronized void send(Object message) {
      lastUsedNanos = System.nanoTime();
      if (dead) {
        metrics.dropped("unreachable");
      } else if (ready) {
        write(message);
      } else if (pending.size() < MAX_PENDING_PER_PEER) {
        pending.add(message);
      } else {
        metrics.dropped("queue_full");
      }
    }

    synchronized void ready() {
      ready = true;
      while (!pending.isEmpty()) {
        write(pending.poll());
      }
    }

    synchronized void closed() {
      dead = true;
      for (int i = pending.size(); i > 0; i--) {
        metrics.dropped("unreachable");
      }
      pending.clear();
    }

    private void write(Object message) {
      Channel c = channel;
      if (c == null || !c.isActive()) {
        metrics.dropped("unreachable");
      } else if (!c.isWritable()) {
        metrics.dropped("backpressure");
      } else {
        c.writeAndFlush(message, c.voidPromise());
      }
    }
  }

  /** Delivers authenticated messages and turns decoding failures into one closed connection. */
  private final class PeerHandler extends ChannelInboundHandlerAdapter {
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
          o.ready();
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
      if (p != null && filter.accept(p.nodeId())) {
        listener.onMessage(p.nodeId(), p.listenAddress(), ctx.channel().attr(LINK).get(), msg);
      } else {
        io.netty.util.ReferenceCountUtil.release(msg);
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
      String where = remoteHost(ctx.channel());
      if (c instanceof MalformedMessageException
          || c instanceof TooLongFrameException
          || c instanceof CorruptedFrameException) {
        metrics.malformedFrames.inc();
        if (logLimiter.allow("malformed " + where, System.nanoTime())) {
          log.warn("closed connection from {}: malformed frame ({})", where, c.getMessage());
        }
      } else if (c instanceof javax.net.ssl.SSLException) {
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
}
