package io.shoal.node.net;

import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections peers opened to this node: at most {@link #MAX_INCOMING}, and of those still in
 * their handshake at most {@link #MAX_UNAUTHENTICATED_PER_ADDRESS} from one address and {@link
 * #MAX_UNAUTHENTICATED} in all ({@link HandshakeQuota}); a connection past a bound is closed at
 * once and counted. Thread-safe.
 */
final class IncomingConnections {
  static final int MAX_INCOMING = 4096;

  /** Connections from one remote address that may be in their handshake at once. */
  static final int MAX_UNAUTHENTICATED_PER_ADDRESS = 8;

  /** Connections that may be in their handshake at once, from anywhere. */
  static final int MAX_UNAUTHENTICATED = 256;

  private static final Logger log = LoggerFactory.getLogger(IncomingConnections.class);

  private final NodeMetrics metrics;
  private final LogLimiter logLimiter;
  private final PeerPipeline pipeline;
  private final Map<Channel, Boolean> incoming = new ConcurrentHashMap<>();
  private final HandshakeQuota quota =
      new HandshakeQuota(MAX_UNAUTHENTICATED_PER_ADDRESS, MAX_UNAUTHENTICATED);

  IncomingConnections(NodeMetrics metrics, LogLimiter logLimiter, PeerPipeline pipeline) {
    this.metrics = metrics;
    this.logLimiter = logLimiter;
    this.pipeline = pipeline;
  }

  /**
   * A connection was accepted: closed when a bound refuses it, else tracked until it closes, with a
   * handshake place that the peer handler gives back once it authenticates.
   */
  void accept(SocketChannel ch) {
    if (incoming.size() >= MAX_INCOMING) {
      metrics.dropped("too_many_connections");
      ch.close();
      return;
    }
    String from = PeerTransport.remoteHost(ch);
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
    ch.attr(PeerHandler.QUOTA).set(giveBack);
    incoming.put(ch, Boolean.TRUE);
    ch.closeFuture()
        .addListener(
            f -> {
              incoming.remove(ch);
              giveBack.run();
            });
    pipeline.init(ch, false);
  }

  int size() {
    return incoming.size();
  }

  /** Adds the open channels to {@code out}. */
  void addChannels(List<Channel> out) {
    out.addAll(incoming.keySet());
  }

  void closeAll() {
    for (Channel c : incoming.keySet()) {
      c.close();
    }
  }
}
