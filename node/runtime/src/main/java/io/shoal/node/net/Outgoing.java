package io.shoal.node.net;

import io.netty.channel.Channel;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import java.util.ArrayDeque;

/**
 * One outgoing connection and the messages waiting for its handshake, at most {@link
 * OutgoingConnections#MAX_PENDING_PER_PEER}; past that, and once the connection is gone or while
 * its socket is not writable, messages are dropped and counted. What became of the attempt
 * (reached, or the first reason it failed) goes to the transport's {@link
 * PeerTransport.DialListener} once. Thread-safe.
 */
final class Outgoing {
  private final NodeMetrics metrics;
  private final Endpoint to;
  private final PeerTransport.DialListener dials;
  volatile Channel channel;
  volatile long lastUsedNanos = System.nanoTime();
  private boolean ready;
  private boolean dead;
  private DialFailure failure;
  private final ArrayDeque<Object> pending = new ArrayDeque<>();

  Outgoing(NodeMetrics metrics, Endpoint to, PeerTransport.DialListener dials) {
    this.metrics = metrics;
    this.to = to;
    this.dials = dials;
  }

  synchronized void send(Object message) {
    lastUsedNanos = System.nanoTime();
    if (dead) {
      metrics.dropped("unreachable");
    } else if (ready) {
      write(message);
    } else if (pending.size() < OutgoingConnections.MAX_PENDING_PER_PEER) {
      pending.add(message);
    } else {
      metrics.dropped("queue_full");
    }
  }

  /** Why the handshake failed, when this side knows; the first reason noted is the one reported. */
  synchronized void noteFailure(DialFailure why) {
    if (failure == null && !ready) {
      failure = why;
    }
  }

  /**
   * The handshake passed with {@code peer} on {@code ch}: what waited goes out on it. The channel
   * comes with the event, not from the connect listener, which was seen to run after the whole
   * handshake on a loaded machine (most likely its thread was descheduled between connecting and
   * adding the listener).
   */
  synchronized void ready(Channel ch, NodeId peer) {
    channel = ch;
    dials.onReached(to, peer);
    ready = true;
    while (!pending.isEmpty()) {
      write(pending.poll());
    }
  }

  /**
   * The connection failed or closed: what waited is dropped. Before the handshake passed, the
   * attempt failed for the reason noted, for {@code cause} when it never connected, or else because
   * the peer closed it.
   */
  synchronized void closed(DialFailure cause, boolean secured) {
    if (!ready && !dead) {
      DialFailure why =
          failure != null
              ? failure
              : cause != null ? cause : new DialFailure.ClosedDuringHandshake(secured);
      dials.onFailed(to, why);
    }
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
