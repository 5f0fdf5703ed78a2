package io.shoal.node;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.views.Delivery;
import io.shoal.gossip.views.ViewCore;
import io.shoal.gossip.views.ViewSend;
import io.shoal.node.api.NodeStatus;
import io.shoal.node.core.membership.ViewFrame;
import io.shoal.node.core.membership.ViewPeers;
import io.shoal.node.net.DialFailure;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerTransport;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this node's partial views ({@link ViewCore}: HyParView membership, Plumtree broadcast) on
 * one event loop, as {@link GossipDriver} runs full membership: peers' frames, dials and dropped
 * connections come through a bounded inbox ({@link LoopInbox}); after each batch the core's sends
 * go out through the peer transport, addressed by the {@link ViewPeers} book, its deliveries go to
 * the delivery listener, and the one timer is re-armed from the core's next deadline. Nothing here
 * blocks.
 *
 * <p>What the driver reports to the core: a connection to an active peer that closes, or a dial to
 * a peer of either view that fails, is {@code onPeerFailed}; so is a peer the book learns is not
 * where a hint said. It joins through the seeds: dials each, learns its id from the handshake, and
 * joins through the first reached; while the active view stays empty it tries again every {@link
 * #JOIN_RETRY_NANOS}.
 */
final class ViewDriver implements PeerTransport.DialListener {
  private static final Logger log = LoggerFactory.getLogger(ViewDriver.class);

  /** View frames waiting for the loop past which one more is dropped (counted). */
  static final int PEER_INPUTS = 1024;

  /** How long a node whose active view is empty waits before it joins through a seed again. */
  static final long JOIN_RETRY_NANOS = TimeUnit.SECONDS.toNanos(2);

  static final long QUERY_TIMEOUT_SECONDS = 5;

  /** The views at one moment, for status. */
  record Views(List<NodeId> active, List<NodeId> passive) {}

  private final NodeId self;
  private final Endpoint selfAddress;
  private final ViewCore core;
  private final ViewPeers book;
  private final List<Endpoint> seeds;
  private final Map<Endpoint, NodeId> seedIds = new HashMap<>();
  private final EventLoop loop;
  private final PeerTransport transport;
  private final ViewMetrics metrics;
  private final LoopInbox inbox;
  private final SecureRandom ids = new SecureRandom();
  private volatile Consumer<Delivery> deliveries = d -> {};
  private volatile Consumer<NodeId> links = p -> {};
  private Set<NodeId> linked = Set.of();
  private long refusedMalformedSeen;
  private long refusedNotNeighborSeen;
  private long nextJoinNanos;
  private ScheduledFuture<?> timer;
  private long timerDeadlineNanos;
  private volatile boolean stopped;

  /**
   * {@code seeds} other than {@code selfAddress}, at most {@link ViewPeers#MAX_JOINS}, are used.
   */
  ViewDriver(
      ViewCore core,
      Endpoint selfAddress,
      List<Endpoint> seeds,
      EventLoop loop,
      PeerTransport transport,
      ViewMetrics metrics,
      CounterDataPoint inboxRefused) {
    this.self = core.id();
    this.selfAddress = selfAddress;
    this.core = core;
    this.book = new ViewPeers(self);
    this.seeds =
        seeds.stream()
            .filter(s -> !s.equals(selfAddress))
            .distinct()
            .limit(ViewPeers.MAX_JOINS)
            .toList();
    this.loop = loop;
    this.transport = transport;
    this.metrics = metrics;
    this.inbox = new LoopInbox(loop, PEER_INPUTS, inboxRefused, this::flush);
  }

  /**
   * The view driver of a node run with {@code --membership views}, connected to its peer listener
   * (not started); null when the node runs full membership.
   */
  static ViewDriver of(
      NodeConfig config,
      NodeId self,
      Endpoint selfAddress,
      EventLoop loop,
      PeerTransport transport,
      NodeMetrics metrics,
      PeerListener peers) {
    if (!config.membership().isViews()) {
      return null;
    }
    ViewCore core =
        new ViewCore(
            config.membership().views(),
            self,
            new SplittableRandom(new SecureRandom().nextLong()),
            System.nanoTime());
    ViewDriver d =
        new ViewDriver(
            core,
            selfAddress,
            config.seeds(),
            loop,
            transport,
            new ViewMetrics(metrics),
            metrics.tasksRefused.labelValues("views_peer"));
    peers.connect(d);
    return d;
  }

  /** The views as status shows them. */
  NodeStatus.Views status() {
    Views v = views();
    return new NodeStatus.Views(
        v.active().stream().map(NodeId::toHex).toList(),
        v.passive().stream().map(NodeId::toHex).toList());
  }

  /** Joins through the seeds (a node without seeds waits to be joined). */
  void start() {
    inbox.post(() -> nextJoinNanos = System.nanoTime());
    inbox.post(() -> rejoinIfAlone(System.nanoTime()));
  }

  /**
   * Calls {@code l} on the driver's loop with each broadcast this node receives for the first time;
   * it must not block, nor keep or change the payload array.
   */
  void onDelivery(Consumer<Delivery> l) {
    deliveries = l;
  }

  /**
   * Calls {@code l} on the driver's loop with each peer the active view links (for a layer above
   * that syncs state with a new neighbour); it must not block.
   */
  void onLinked(Consumer<NodeId> l) {
    links = l;
  }

  /**
   * Broadcasts {@code payload} to every node of the views under a fresh random id, returned. From
   * the driver's own loop (a delivery or link listener) it runs at once, and its sends go out with
   * the batch's.
   *
   * @throws IllegalArgumentException when it is over {@link
   *     io.shoal.gossip.views.ViewConfig#MAX_PAYLOAD_BYTES}
   */
  long broadcast(byte[] payload) {
    byte[] copy = payload.clone();
    Supplier<Long> call =
        () -> {
          long id = ids.nextLong();
          core.broadcast(id, copy, System.nanoTime());
          return id;
        };
    return loop.inEventLoop() ? call.get() : ask(call);
  }

  /** Runs a local {@code input} of a layer above on the driver's loop; the batch's sends follow. */
  void execute(Runnable input) {
    inbox.post(input);
  }

  /**
   * Runs a peer's {@code input} to a layer above on the loop, dropped (counted) when too many wait.
   */
  void offer(Runnable input) {
    inbox.offer(input);
  }

  /** Runs {@code call} on the loop after the inputs given so far, and waits for its answer. */
  <T> T call(Supplier<T> call) {
    return ask(call);
  }

  NodeId self() {
    return self;
  }

  /** Where this node listens, as its view frames say. */
  Endpoint address() {
    return selfAddress;
  }

  /** The peer transport its frames travel (for a layer above's own messages). */
  PeerTransport transport() {
    return transport;
  }

  /** Where {@code peer} listens as the views know it, null when unknown; on the loop only. */
  Endpoint addressOf(NodeId peer) {
    return book.addressOf(peer);
  }

  /** The views now, read on the loop after the inputs given so far. */
  Views views() {
    return ask(() -> new Views(core.activeView(), core.passiveView()));
  }

  /** A peer's frame, dropped (and counted) when too many wait. */
  void onFrame(NodeId from, Endpoint fromAddress, ViewFrame frame) {
    metrics.received.labelValues(ViewFrame.label(frame.message())).inc();
    inbox.offer(() -> receive(from, fromAddress, frame, System.nanoTime()));
  }

  /** An authenticated connection to {@code peer} closed. */
  void onDisconnected(NodeId peer) {
    inbox.post(
        () -> {
          if (core.activeView().contains(peer)) {
            core.onPeerFailed(peer, System.nanoTime());
          }
        });
  }

  /** A SWIM message reached this node, which does not run full membership: refused. */
  void onFullMembershipMessage() {
    metrics.refused.labelValues("full_membership").inc();
  }

  @Override
  public void onReached(Endpoint to, NodeId peer) {
    inbox.post(() -> reached(to, peer, System.nanoTime()));
  }

  @Override
  public void onFailed(Endpoint to, DialFailure why) {
    inbox.post(
        () -> {
          long now = System.nanoTime();
          for (NodeId id : book.idsAt(to)) {
            failIfViewed(id, now);
          }
        });
  }

  void stop() {
    stopped = true;
    inbox.close();
    loop.execute(
        () -> {
          if (timer != null) {
            timer.cancel(false);
          }
        });
  }

  private void receive(NodeId from, Endpoint fromAddress, ViewFrame f, long now) {
    if (!f.to().equals(self)) {
      // The sender dialled an address that another node holds now: not meant for this one.
      metrics.refused.labelValues("misaddressed").inc();
      return;
    }
    forgetWrong(book.onProved(from, fromAddress), now);
    List<NodeId> named = ViewFrame.named(f.message());
    for (int i = 0; i < named.size(); i++) {
      if (!book.onHint(named.get(i), f.addresses().get(i))) {
        metrics.refused.labelValues("address_conflict").inc();
      }
    }
    core.onMessage(from, f.message(), now);
  }

  private void reached(Endpoint to, NodeId peer, long now) {
    forgetWrong(book.onProved(peer, to), now);
    if (seeds.contains(to)) {
      seedIds.put(to, peer);
      if (core.activeSize() == 0 && book.onJoining(peer)) {
        log.info("node {} joining the views through seed {} ({})", self.shortHex(), to, peer);
        core.join(peer);
      }
    }
  }

  /** With no link left and the retry due, joins through a seed whose id is known, else dials. */
  private void rejoinIfAlone(long now) {
    if (seeds.isEmpty() || core.activeSize() > 0 || now - nextJoinNanos < 0) {
      return;
    }
    nextJoinNanos = now + JOIN_RETRY_NANOS;
    for (Endpoint seed : seeds) {
      NodeId id = seedIds.get(seed);
      if (id != null) {
        book.onProved(id, seed);
        book.onJoining(id);
        core.join(id);
        return;
      }
    }
    for (Endpoint seed : seeds) {
      transport.dial(seed);
    }
  }

  private void forgetWrong(List<NodeId> wrong, long now) {
    for (NodeId id : wrong) {
      failIfViewed(id, now);
    }
  }

  private void failIfViewed(NodeId id, long now) {
    if (core.activeView().contains(id) || core.passiveView().contains(id)) {
      core.onPeerFailed(id, now);
    }
  }

  /** After each batch: sends, deliveries, the book's prune, the log, the metrics and the timer. */
  private void flush() {
    if (stopped) {
      return;
    }
    try {
      long now = System.nanoTime();
      for (ViewSend s; (s = core.pollSend()) != null; ) {
        send(s, now);
      }
      for (Delivery d; (d = core.pollDelivery()) != null; ) {
        deliver(d);
      }
      List<NodeId> active = core.activeView();
      logChanges(active);
      for (ViewSend s; (s = core.pollSend()) != null; ) {
        send(s, now); // what the listeners broadcast
      }
      if (core.activeSize() > 0) {
        book.joined();
      }
      active = core.activeView();
      List<NodeId> passive = core.passiveView();
      List<NodeId> viewed = new ArrayList<>(active);
      viewed.addAll(passive);
      book.retainOnly(viewed);
      metrics.views(active.size(), passive.size());
      countCoreRefusals();
      arm(now);
    } catch (RuntimeException e) {
      log.error("node {}: the view driver failed (a bug); the node goes on", self.shortHex(), e);
      metrics.failures.inc();
    }
  }

  private void send(ViewSend s, long now) {
    Endpoint to = book.addressOf(s.to());
    List<NodeId> named = ViewFrame.named(s.message());
    List<Endpoint> addresses = new ArrayList<>(named.size());
    for (NodeId id : named) {
      Endpoint at = id.equals(self) ? selfAddress : book.addressOf(id);
      if (at == null) {
        to = null;
        break;
      }
      addresses.add(at);
    }
    if (to == null) {
      // A peer whose address this node never had or no longer has: the views forget it.
      metrics.refused.labelValues("no_address").inc();
      failIfViewed(s.to(), now);
      return;
    }
    metrics.sent.labelValues(ViewFrame.label(s.message())).inc();
    transport.send(to, new ViewFrame(s.to(), s.message(), addresses));
  }

  private void deliver(Delivery d) {
    metrics.deliveries.inc();
    try {
      deliveries.accept(d);
    } catch (RuntimeException e) {
      log.error("node {}: a delivery listener failed (a bug)", self.shortHex(), e);
      metrics.failures.inc();
    }
  }

  /** One line per link made or dropped; each new link to the link listener. */
  private void logChanges(List<NodeId> active) {
    Set<NodeId> now = new LinkedHashSet<>(active);
    if (now.equals(linked)) {
      return;
    }
    for (NodeId p : now) {
      if (!linked.contains(p)) {
        log.info(
            "node {}: view link to {} at {}", self.shortHex(), p.shortHex(), book.addressOf(p));
        try {
          links.accept(p);
        } catch (RuntimeException e) {
          log.error("node {}: a link listener failed (a bug)", self.shortHex(), e);
          metrics.failures.inc();
        }
      }
    }
    for (NodeId p : linked) {
      if (!now.contains(p)) {
        log.info("node {}: view link to {} dropped", self.shortHex(), p.shortHex());
      }
    }
    linked = now;
  }

  private void countCoreRefusals() {
    long malformed = core.refusedMalformed();
    if (malformed > refusedMalformedSeen) {
      metrics.refused.labelValues("malformed").inc(malformed - refusedMalformedSeen);
      refusedMalformedSeen = malformed;
    }
    long notNeighbor = core.refusedNotNeighbor();
    if (notNeighbor > refusedNotNeighborSeen) {
      metrics.refused.labelValues("not_neighbor").inc(notNeighbor - refusedNotNeighborSeen);
      refusedNotNeighborSeen = notNeighbor;
    }
  }

  /** One timer on the loop, replaced when the next deadline moves. */
  private void arm(long now) {
    long deadline = core.nextDeadlineNanos();
    if (!seeds.isEmpty() && core.activeSize() == 0 && nextJoinNanos - deadline < 0) {
      deadline = nextJoinNanos;
    }
    if (timer != null && !timer.isDone() && timerDeadlineNanos == deadline) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    timerDeadlineNanos = deadline;
    timer =
        loop.schedule(
            () -> {
              long t = System.nanoTime();
              core.onTick(t);
              rejoinIfAlone(t);
              flush();
            },
            Math.max(0, deadline - now),
            TimeUnit.NANOSECONDS);
  }

  private <T> T ask(Supplier<T> call) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    inbox.post(
        () -> {
          try {
            T value = call.get();
            flush(); // its sends go out before the caller goes on (and may stop: a leave)
            answer.complete(value);
          } catch (RuntimeException e) {
            answer.completeExceptionally(e);
          }
        });
    try {
      return answer.get(QUERY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the views", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IllegalArgumentException bad) {
        throw new IllegalArgumentException(bad.getMessage(), bad);
      }
      throw new IllegalStateException("views unavailable: " + e, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("views unavailable: " + e, e);
    }
  }
}
