package io.shoal.node.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.node.security.NodeCredentials;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Authenticated connections to peers, one outgoing connection per peer address, created on first
 * use: TLS 1.3 with mutual authentication when the node has credentials ({@link PeerTls}), plain
 * TCP when it runs insecure. Messages to a peer whose connection is still opening wait in a short
 * bounded queue; past it, or while the socket is not writable, they are dropped and counted: gossip
 * tolerates loss, and nothing queues without bound. Incoming connections are served the same way;
 * every authenticated message goes to the listener with the peer's id and address.
 *
 * <p>The pieces: {@link OutgoingConnections} (with {@link Outgoing} and its pending queue), {@link
 * IncomingConnections} (the bounds on accepted connections and handshakes), {@link PeerPipeline}
 * and {@link PeerHandler} (the handlers of a connection), and {@link TlsReload} (what new
 * credentials do to open connections).
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

  /**
   * What became of each connection this node opened, reported once per attempt: reached (the
   * handshake passed) or failed with its reason. Called on event loops and resolver threads; must
   * not block.
   */
  public interface DialListener {
    DialListener NONE =
        new DialListener() {
          @Override
          public void onReached(Endpoint to, NodeId peer) {}

          @Override
          public void onFailed(Endpoint to, DialFailure why) {}
        };

    void onReached(Endpoint to, NodeId peer);

    void onFailed(Endpoint to, DialFailure why);

    /** Reports every dial to {@code first}, then to {@code second}. */
    static DialListener both(DialListener first, DialListener second) {
      return new DialListener() {
        @Override
        public void onReached(Endpoint to, NodeId peer) {
          first.onReached(to, peer);
          second.onReached(to, peer);
        }

        @Override
        public void onFailed(Endpoint to, DialFailure why) {
          first.onFailed(to, why);
          second.onFailed(to, why);
        }
      };
    }
  }

  private final PeerTls tls;
  private final EventLoopGroup group;
  private final LogLimiter logLimiter = new LogLimiter(TimeUnit.MINUTES.toNanos(10));
  private final PeerPipeline pipeline;
  private final OutgoingConnections outgoing;
  private final IncomingConnections incoming;
  private final HostResolver resolver;
  private volatile TransportFilter filter = TransportFilter.allowAll();
  private final LinkFaults linkFaults = new LinkFaults();
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
    this.tls = credentials == null ? null : new PeerTls(credentials);
    this.group = group;
    this.pipeline =
        new PeerPipeline(
            clusterId, selfId, tls, metrics, logLimiter, listener, () -> filter, linkFaults);
    this.resolver = new HostResolver(metrics);
    this.outgoing = new OutgoingConnections(group, metrics, pipeline, resolver, tls != null);
    this.incoming = new IncomingConnections(metrics, logLimiter, pipeline);
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
                new WriteBufferWaterMark(
                    PeerPipeline.WRITE_LOW_WATER_BYTES, PeerPipeline.WRITE_HIGH_WATER_BYTES))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    incoming.accept(ch);
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
    Endpoint advertised =
        advertise != null ? advertise : new Endpoint(Addresses.advertisable(host), bound.getPort());
    pipeline.advertise(advertised);
    return advertised;
  }

  /** The port actually bound. */
  public int boundPort() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Reports what becomes of the connections this node opens from now on to {@code l}. */
  public void onDial(DialListener l) {
    outgoing.onDial(l);
  }

  public void setFilter(TransportFilter filter) {
    this.filter = filter;
  }

  /** The faults injected into this transport's connections (none unless a drill sets them). */
  public LinkFaults linkFaults() {
    return linkFaults;
  }

  /** Sends a control message to the peer listening at {@code to}. */
  public void send(Endpoint to, Object message) {
    if (closed) {
      return;
    }
    outgoing.send(to, message);
  }

  /**
   * Opens a connection to {@code to} with nothing to send yet, to learn who listens there (the dial
   * listener hears); false, and nothing happens, when one is open or opening.
   */
  public boolean dial(Endpoint to) {
    return !closed && outgoing.open(to);
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
    return TlsReload.closeRefused(channels(), now.trust(), ownCertificateChanged, Instant.now());
  }

  /** The peers of the open authenticated connections, with their certificates. */
  public List<PeerAuthenticated> authenticatedPeers() {
    List<PeerAuthenticated> out = new ArrayList<>();
    for (Channel c : channels()) {
      PeerAuthenticated p = c.attr(PeerHandler.PEER).get();
      if (p != null && c.isActive()) {
        out.add(p);
      }
    }
    return out;
  }

  private List<Channel> channels() {
    List<Channel> all = new ArrayList<>();
    incoming.addChannels(all);
    outgoing.addChannels(all);
    return all;
  }

  @Override
  public void close() {
    closed = true;
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    outgoing.closeAll();
    incoming.closeAll();
    resolver.close();
    if (tls != null) {
      tls.close();
    }
  }

  /** Flushes what was written and closes every connection, waiting up to {@code millis}. */
  public void drainAndClose(long millis) {
    outgoing.drain(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis));
    close();
  }

  static String remoteHost(Channel ch) {
    return ch.remoteAddress() instanceof InetSocketAddress a
        ? a.getHostString()
        : String.valueOf(ch.remoteAddress());
  }
}
