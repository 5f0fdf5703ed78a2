package io.shoal.node;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.shoal.gossip.CatalogSource;
import io.shoal.gossip.ClaimRefusal;
import io.shoal.gossip.Credential;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipCore;
import io.shoal.gossip.GossipEvent;
import io.shoal.gossip.GossipMessage;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.membership.Follow;
import io.shoal.node.core.membership.LearnedWinner;
import io.shoal.node.core.membership.Membership;
import io.shoal.node.core.membership.SwarmDirectory;
import io.shoal.node.core.membership.Unannounced;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this node's {@link Membership} on one event loop: every input (a message, a timer, a local
 * change) goes through a bounded inbox to that loop ({@link LoopInbox}), which gives it to the
 * membership with the current time and, after each batch, hands the outputs to {@link Outputs}.
 * Messages from peers past {@link #PEER_INPUTS} waiting are dropped and counted ({@code
 * queue="gossip_peer"}): gossip tolerates loss. The membership's pump sends through the peer
 * transport and arms this driver's one timer. Nothing in it sees a thread, a socket or a clock.
 */
final class GossipDriver implements CatalogReader, Follower.Failures {
  private static final Logger log = LoggerFactory.getLogger(GossipDriver.class);
  static final long QUERY_TIMEOUT_SECONDS = 5;

  /** Gossip messages waiting for the loop past which one more is dropped. */
  static final int PEER_INPUTS = 1024;

  /** Where the membership's outputs go; called on the gossip loop, must not block. */
  interface Outputs {
    void onEvent(GossipEvent e);

    void onGone(NodeId member);

    void onWinner(LearnedWinner w);

    void onFollow(Follow f);

    /** The pin claims kept from before this start, to honour again at once. */
    default List<PinFile.Entry> savedPins() {
      return List.of();
    }

    /** The pin claims this node honours changed: keep them for the next start. */
    default void onPinsChanged(List<PinFile.Entry> pins) {}
  }

  private final Membership membership;
  private final EventLoop loop;
  private final NodeMetrics metrics;
  private final Outputs outputs;
  private final NodeId self;
  private final long[] refusedSeen = new long[ClaimRefusal.values().length];
  private final LoopInbox inbox;
  private final SwarmGauges gauges;
  private List<PinFile.Entry> savedPins;
  private ScheduledFuture<?> timer;
  private volatile boolean stopped;

  GossipDriver(
      NodeId self,
      GossipCore core,
      List<String> follow,
      EventLoop loop,
      PeerTransport transport,
      NodeMetrics metrics,
      Outputs outputs) {
    this.self = self;
    this.loop = loop;
    this.metrics = metrics;
    this.outputs = outputs;
    this.membership =
        new Membership(
            core, follow, o -> transport.send(o.to(), o.message()), this::arm, this::onFailure);
    this.gauges = new SwarmGauges(self, metrics);
    this.inbox =
        new LoopInbox(
            loop, PEER_INPUTS, metrics.tasksRefused.labelValues("gossip_peer"), this::drain);
    this.savedPins = outputs.savedPins();
    for (PinFile.Entry e : savedPins) {
      execute(m -> m.onPinRestored(e.name(), e.pin(), e.credential(), System.nanoTime()));
    }
  }

  /**
   * A bug in shared code, by the pump's policy ({@link io.shoal.gossip.GossipPump}): logged once
   * with this node's id, counted, and the node goes on. Failures while carrying out the
   * membership's outputs here are reported the same way.
   */
  private void onFailure(String input, RuntimeException e) {
    log.error("node {}: gossip failed on {} (a bug); the node goes on", self.shortHex(), input, e);
    metrics.gossipCoreFailures.inc();
  }

  /** Who is up and who holds what; read from any thread. */
  SwarmDirectory directory() {
    return membership.directory();
  }

  /** Gives a local {@code input} to the membership on its loop, then hands the outputs on. */
  void execute(Consumer<Membership> input) {
    if (!stopped) {
      inbox.post(() -> input.accept(membership));
    }
  }

  @Override
  public void onFollowFailed(String name, HeldVersion version) {
    execute(m -> m.onFollowFailed(name, version, System.nanoTime()));
  }

  /** A peer's message, dropped (and counted) when too many wait. */
  void onMessage(NodeId from, Endpoint fromAddress, GossipMessage message) {
    if (!stopped) {
      inbox.offer(() -> membership.onMessage(from, fromAddress, message, System.nanoTime()));
    }
  }

  /** Reads the core on its loop, after the inputs given so far, and waits for the answer. */
  <T> T query(Function<GossipCore, T> read) {
    return ask(m -> read.apply(m.core()));
  }

  @Override
  public <T> T readCatalogs(Function<CatalogSource, T> read) {
    return query(read::apply);
  }

  /**
   * Gives {@code call} the membership on its loop, after the inputs given so far, then hands the
   * outputs on and waits for the answer. An IllegalArgumentException of {@code call} (bad input)
   * reaches the caller as it was thrown.
   */
  <T> T ask(Function<Membership, T> call) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    inbox.post(
        () -> {
          try {
            answer.complete(call.apply(membership));
          } catch (RuntimeException e) {
            answer.completeExceptionally(e);
          }
        });
    try {
      return answer.get(QUERY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading gossip state", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IllegalArgumentException bad) {
        throw new IllegalArgumentException(bad.getMessage(), bad);
      }
      throw new IllegalStateException("gossip state unavailable: " + e, e);
    } catch (TimeoutException e) {
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

  private void drain() {
    try {
      handOn();
    } catch (RuntimeException e) {
      onFailure("handing its outputs on", e);
    }
    countRefusals();
    gauges.refresh(membership.core(), System.nanoTime());
  }

  private void handOn() {
    for (GossipEvent e; (e = membership.pollEvent()) != null; ) {
      outputs.onEvent(e);
    }
    for (NodeId id; (id = membership.pollGone()) != null; ) {
      outputs.onGone(id);
    }
    for (LearnedWinner w; (w = membership.pollWinner()) != null; ) {
      outputs.onWinner(w);
    }
    for (Follow f; (f = membership.pollFollow()) != null; ) {
      outputs.onFollow(f);
    }
    for (Unannounced u; (u = membership.pollUnannounced()) != null; ) {
      log.warn("not announcing {}: {}", u.name(), u.reason());
    }
    if (membership.pollPinsChanged()) {
      List<PinFile.Entry> now = pinEntries(membership.core());
      if (!now.equals(savedPins)) {
        savedPins = now;
        outputs.onPinsChanged(now);
      }
    }
  }

  /** The claims the core honours, each with its pinner's credential as gossip carries it. */
  static List<PinFile.Entry> pinEntries(GossipCore core) {
    List<PinFile.Entry> out = new ArrayList<>();
    core.pins()
        .forEach(
            (name, pin) -> {
              Credential c = core.credentialOf(pin.pinner());
              out.add(new PinFile.Entry(name, pin, c == null ? Credential.NONE : c));
            });
    return out;
  }

  /** Carries the core's refusal counts over to the metric. */
  @SuppressWarnings("EnumOrdinal") // an array indexed by the enum: the counts seen so far
  private void countRefusals() {
    for (ClaimRefusal reason : ClaimRefusal.values()) {
      long now = membership.core().refusedClaims(reason);
      long seen = refusedSeen[reason.ordinal()];
      if (now > seen) {
        metrics.claimsRefused.labelValues(reason.label()).inc(now - seen);
        refusedSeen[reason.ordinal()] = now;
      }
    }
  }

  /** The pump's alarm: one timer on the loop, replaced whenever the core's deadline moves. */
  private void arm(long deadlineNanos) {
    if (stopped) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    long delay = Math.max(0, deadlineNanos - System.nanoTime());
    timer =
        loop.schedule(
            () -> {
              membership.onTimer(System.nanoTime());
              drain();
            },
            delay,
            TimeUnit.NANOSECONDS);
  }
}
