package io.shoal.node.net;

import io.netty.channel.Channel;
import java.util.ArrayDeque;

/**
 * One outgoing connection and the messages waiting for its handshake, at most {@link
 * OutgoingConnections#MAX_PENDING_PER_PEER}; past that, and once the connection is gone or while
 * its socket is not writable, messages are dropped and counted. Thread-safe.
 */
final class Outgoing {
  private final NodeMetrics metrics;
  volatile Channel channel;
  volatile long lastUsedNanos = System.nanoTime();
  private boolean ready;
  private boolean dead;
  private final ArrayDeque<Object> pending = new ArrayDeque<>();

  Outgoing(NodeMetrics metrics) {
    this.metrics = metrics;
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

  /** The handshake passed: what waited goes out. */
  synchronized void ready() {
    ready = true;
    while (!pending.isEmpty()) {
      write(pending.poll());
    }
  }

  /** The connection failed or closed: what waited is dropped. */
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
