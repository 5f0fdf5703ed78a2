package io.shoal.node;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.shoal.gossip.ClaimRefusal;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipCore;
import io.shoal.gossip.GossipEvent;
import io.shoal.gossip.GossipMessage;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Outbound;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerTransport;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the gossip core on one event loop: every input (a message, a timer, a local change) becomes
 * a task on that loop, which calls the core with the current time, then sends what the core wants
 * sent, hands its events on, and re-arms one timer for the core's next deadline. The core itself
 * never sees a thread, a socket or a clock.
 */
final class GossipDriver {
  private static final Logger log = LoggerFactory.getLogger(GossipDriver.class);
  static final long QUERY_TIMEOUT_SECONDS = 5;

  private final GossipCore core;
  private final EventLoop loop;
  private final PeerTransport transport;
  private final Consumer<GossipEvent> events;
  private final NodeMetrics metrics;
  private final long[] refusedSeen = new long[ClaimRefusal.values().length];
  private ScheduledFuture<?> timer;
  private long timerDeadline;
  private volatile boolean stopped;

  GossipDriver(
      GossipCore core,
      EventLoop loop,
      PeerTransport transport,
      NodeMetrics metrics,
      Consumer<GossipEvent> events) {
    this.core = core;
    this.loop = loop;
    this.transport = transport;
    this.metrics = metrics;
    this.events = events;
  }

  /** Runs {@code action} against the core on its loop, then flushes its outputs. */
  void execute(Consumer<GossipCore> action) {
    if (stopped) {
      return;
    }
    try {
      loop.execute(
          () -> {
            try {
              action.accept(core);
            } catch (RuntimeException e) {
              log.error("gossip core failed on an input; the node goes on without it", e);
            }
            flush();
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      if (!stopped) {
        throw e;
      }
    }
  }

  void onMessage(NodeId from, Endpoint fromAddress, GossipMessage message) {
    execute(core -> core.onMessage(from, fromAddress, message, System.nanoTime()));
  }

  /** Reads the core on its loop and waits for the answer. */
  <T> T query(Function<GossipCore, T> read) {
    try {
      return loop.submit(() -> read.apply(core)).get(QUERY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading gossip state", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("gossip state unavailable: " + e, e);
    }
  }

  void stop() {
    stopped = true;
    loop.execute(
        () -> {
          if (timer != null) {
            timer.cancel(false);
          }
        });
  }

  private void flush() {
    for (Outbound o; (o = core.pollSend()) != null; ) {
      transport.send(o.to(), o.message());
    }
    for (GossipEvent e; (e = core.pollEvent()) != null; ) {
      events.accept(e);
    }
    countRefusals();
    rearm();
  }

  /** Carries the core's refusal counts over to the metric. */
  @SuppressWarnings("EnumOrdinal") // an array indexed by the enum: the counts seen so far
  private void countRefusals() {
    for (ClaimRefusal reason : ClaimRefusal.values()) {
      long now = core.refusedClaims(reason);
      long seen = refusedSeen[reason.ordinal()];
      if (now > seen) {
        metrics.claimsRefused.labelValues(reason.label()).inc(now - seen);
        refusedSeen[reason.ordinal()] = now;
      }
    }
  }

  private void rearm() {
    if (stopped) {
      return;
    }
    long deadline = core.nextDeadlineNanos();
    if (timer != null && !timer.isDone() && deadline == timerDeadline) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    timerDeadline = deadline;
    long delay = Math.max(0, deadline - System.nanoTime());
    timer =
        loop.schedule(
            () -> {
              try {
                core.onTimer(System.nanoTime());
              } catch (RuntimeException e) {
                log.error("gossip core failed on a timer; the node goes on without it", e);
              }
              flush();
            },
            delay,
            TimeUnit.NANOSECONDS);
  }
}
