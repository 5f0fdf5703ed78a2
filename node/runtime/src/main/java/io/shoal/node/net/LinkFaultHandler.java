package io.shoal.node.net;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.shoal.gossip.NodeId;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Applies {@link LinkFaults} to one authenticated connection: sits between the handshake and the
 * {@link PeerHandler}, so it sees whole decoded messages and knows the peer's proven id. Messages
 * before authentication (the handshake) pass untouched. A dropped message is released and counted
 * as {@code shoal_peer_messages_dropped_total{reason="injected"}}; a dropped write is reported
 * successful, as a packet lost on the wire would be.
 *
 * <p>Added latency keeps the order of arrival: delayed messages wait in a bounded queue and leave
 * it in order once due, driven by a timer on the channel's event loop and read from its ticker
 * (nothing sleeps). A chunk frame goes out as a header write and a payload write; the rules are
 * read per write, so a rule changed between the two can cut a frame, which the peer refuses as
 * malformed (the connection closes and reopens: a fault, not corruption). One instance per channel;
 * event loop only.
 */
final class LinkFaultHandler extends ChannelDuplexHandler {
  /** Most messages one connection holds back for added latency; past it they are dropped. */
  static final int MAX_DELAYED_MESSAGES = 1024;

  static final String DROPPED = "injected";

  private record Delayed(long dueNanos, Object message) {}

  private final LinkFaults faults;
  private final NodeMetrics metrics;
  private final ArrayDeque<Delayed> delayed = new ArrayDeque<>();
  private LinkFaults.Rules drawnFor;
  private SplittableRandom random;
  private ScheduledFuture<?> timer;

  LinkFaultHandler(LinkFaults faults, NodeMetrics metrics) {
    this.faults = faults;
    this.metrics = metrics;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    NodeId peer = peerOf(ctx);
    LinkFaults.Rules r = faults.rules();
    if (peer == null || (r.isNone() && delayed.isEmpty())) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (r.dropsFrom(peer) || isLost(r, msg)) {
      drop(msg);
      return;
    }
    if (r.latencyMillis() == 0 && delayed.isEmpty()) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (delayed.size() >= MAX_DELAYED_MESSAGES) {
      drop(msg);
      return;
    }
    long due =
        ctx.executor().ticker().nanoTime() + TimeUnit.MILLISECONDS.toNanos(r.latencyMillis());
    Delayed last = delayed.peekLast();
    delayed.addLast(new Delayed(last == null ? due : Math.max(due, last.dueNanos()), msg));
    arm(ctx);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    NodeId peer = peerOf(ctx);
    if (peer != null && faults.rules().dropsTo(peer)) {
      drop(msg);
      promise.trySuccess();
      return;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseDelayed();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseDelayed();
  }

  private boolean isLost(LinkFaults.Rules r, Object msg) {
    if (r.lossRate() == 0 || msg instanceof ChunkFrame) {
      return false;
    }
    @SuppressWarnings("ReferenceEquality") // a new rule set, even an equal one, reseeds the draws
    boolean fresh = drawnFor != r;
    if (fresh) {
      drawnFor = r;
      random = faults.split();
    }
    return random.nextDouble() < r.lossRate();
  }

  /** Sets the timer for the first delayed message, unless one is set. */
  private void arm(ChannelHandlerContext ctx) {
    if (timer != null || delayed.isEmpty()) {
      return;
    }
    long wait = Math.max(0, delayed.peekFirst().dueNanos() - ctx.executor().ticker().nanoTime());
    timer = ctx.executor().schedule(() -> release(ctx), wait, TimeUnit.NANOSECONDS);
  }

  /** Passes on every delayed message now due, in order, and sets the timer for the next. */
  private void release(ChannelHandlerContext ctx) {
    timer = null;
    long now = ctx.executor().ticker().nanoTime();
    while (!delayed.isEmpty() && delayed.peekFirst().dueNanos() <= now) {
      ctx.fireChannelRead(delayed.pollFirst().message());
    }
    arm(ctx);
  }

  private void releaseDelayed() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    for (Delayed d; (d = delayed.pollFirst()) != null; ) {
      ReferenceCountUtil.release(d.message());
    }
  }

  private void drop(Object msg) {
    ReferenceCountUtil.release(msg);
    metrics.dropped(DROPPED);
  }

  private static NodeId peerOf(ChannelHandlerContext ctx) {
    PeerAuthenticated p = ctx.channel().attr(PeerHandler.PEER).get();
    return p == null ? null : p.nodeId();
  }
}
