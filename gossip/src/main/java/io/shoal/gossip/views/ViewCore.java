package io.shoal.gossip.views;

import io.shoal.gossip.NodeId;
import io.shoal.gossip.views.ViewMessage.ForwardJoin;
import io.shoal.gossip.views.ViewMessage.Gossip;
import io.shoal.gossip.views.ViewMessage.Graft;
import io.shoal.gossip.views.ViewMessage.IHave;
import io.shoal.gossip.views.ViewMessage.Join;
import io.shoal.gossip.views.ViewMessage.Neighbor;
import io.shoal.gossip.views.ViewMessage.NeighborReply;
import io.shoal.gossip.views.ViewMessage.Prune;
import io.shoal.gossip.views.ViewMessage.Shuffle;
import io.shoal.gossip.views.ViewMessage.ShuffleReply;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Partial-view membership and broadcast for one node, as a deterministic state machine: {@link
 * HyParView} keeps the active and passive views, {@link Plumtree} broadcasts small payloads over
 * the active view's links. Per node it holds O(active + passive) peers and a bounded message cache,
 * whatever the cluster's size; that is what lets membership grow past {@link
 * io.shoal.gossip.GossipConfig#MAX_MEMBERS}.
 *
 * <p>Inputs are {@link #join}, {@link #broadcast}, {@link #onMessage}, {@link #onPeerFailed} (the
 * driver saw the link to a peer drop, or a send to it fail) and {@link #onTick}; outputs are {@link
 * #pollSend()}, {@link #pollDelivery()} and {@link #nextDeadlineNanos()}, and the driver drains the
 * outputs after every input. Time comes only from {@code nowNanos} arguments, compared by
 * difference; randomness only from the injected generator. Single-threaded: the driver owns the
 * thread.
 */
public final class ViewCore {
  private final NodeId self;
  private final ArrayDeque<ViewSend> out = new ArrayDeque<>();
  private final ArrayDeque<Delivery> deliveries = new ArrayDeque<>();
  private final ViewCounters counters = new ViewCounters();
  private final HyParView views;
  private final Plumtree tree;

  public ViewCore(ViewConfig config, NodeId self, RandomGenerator random, long nowNanos) {
    Objects.requireNonNull(config, "config");
    this.self = Objects.requireNonNull(self, "self");
    Objects.requireNonNull(random, "random");
    this.views = new HyParView(config, self, random, out, counters, nowNanos);
    this.tree = new Plumtree(config, views.active(), out, deliveries, counters);
  }

  public NodeId id() {
    return self;
  }

  /** Joins the cluster through {@code contact}, a node already in it. */
  public void join(NodeId contact) {
    views.join(Objects.requireNonNull(contact, "contact"));
  }

  /**
   * Broadcasts {@code payload} under {@code id} (callers name a message by a digest of its content,
   * so the same news from two origins is one message); false when this node has seen {@code id}.
   * This node does not deliver its own message.
   *
   * @throws IllegalArgumentException when the payload is larger than {@link
   *     ViewConfig#MAX_PAYLOAD_BYTES}
   */
  public boolean broadcast(long id, byte[] payload, long nowNanos) {
    if (payload.length > ViewConfig.MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "payload of "
              + payload.length
              + " bytes is over the "
              + ViewConfig.MAX_PAYLOAD_BYTES
              + "-byte limit");
    }
    return tree.broadcast(id, payload, nowNanos);
  }

  /** A message from {@code from}, as the authenticated link names it. */
  public void onMessage(NodeId from, ViewMessage m, long nowNanos) {
    if (from.equals(self)) {
      counters.refusedMalformed++;
    } else if (m instanceof Gossip g) {
      tree.onGossip(from, g, nowNanos);
    } else if (m instanceof IHave h) {
      tree.onIHave(from, h, nowNanos);
    } else if (m instanceof Graft g) {
      tree.onGraft(from, g.id());
    } else if (m instanceof Prune) {
      tree.onPrune(from);
    } else if (m instanceof Shuffle s) {
      views.onShuffle(from, s);
    } else if (m instanceof ShuffleReply r) {
      views.onShuffleReply(r);
    } else if (m instanceof ForwardJoin f) {
      views.onForwardJoin(from, f);
    } else if (m instanceof Join) {
      views.onJoin(from);
    } else if (m instanceof Neighbor n) {
      views.onNeighbor(from, n.high());
    } else if (m instanceof NeighborReply r) {
      views.onNeighborReply(from, r.accepted(), nowNanos);
    } else {
      views.onDisconnect(from, nowNanos);
    }
  }

  /** The link to {@code peer} dropped or a message to it could not be sent: forget the peer. */
  public void onPeerFailed(NodeId peer, long nowNanos) {
    views.onPeerFailed(peer, nowNanos);
  }

  /** Runs the timers due at {@code nowNanos}: shuffles, repairs, IHAVE batches, GRAFTs. */
  public void onTick(long nowNanos) {
    views.onTick(nowNanos);
    tree.onTick(nowNanos);
  }

  /** When {@link #onTick} is next needed; there is always a next shuffle. */
  public long nextDeadlineNanos() {
    return tree.earliestDeadline(views.earliestDeadline(Long.MAX_VALUE));
  }

  /** The next message to send, or null. */
  public ViewSend pollSend() {
    return out.poll();
  }

  /** The next message received for the first time, or null. */
  public Delivery pollDelivery() {
    return deliveries.poll();
  }

  // ---------------------------------------------------------------- queries

  public boolean hasMessage(long id) {
    return tree.has(id);
  }

  public int activeSize() {
    return views.active().size();
  }

  /** The peer on active link {@code slot} (0..activeSize-1). */
  public NodeId activePeer(int slot) {
    return views.active().peer(slot);
  }

  public List<NodeId> activeView() {
    List<NodeId> peers = new ArrayList<>(activeSize());
    for (int i = 0; i < activeSize(); i++) {
      peers.add(activePeer(i));
    }
    return peers;
  }

  public List<NodeId> passiveView() {
    PassiveView p = views.passive();
    List<NodeId> peers = new ArrayList<>(p.size());
    for (int i = 0; i < p.size(); i++) {
      peers.add(p.peer(i));
    }
    return peers;
  }

  /** Active links on which messages are pushed whole (the rest only announce). */
  public int eagerLinks() {
    int n = 0;
    for (int i = 0; i < activeSize(); i++) {
      n += views.active().isEager(i) ? 1 : 0;
    }
    return n;
  }

  /** Announced messages not received yet. */
  public int missingMessages() {
    return tree.missingCount();
  }

  /** Messages refused whole: oversized lists or payloads, negative hop counts, from itself. */
  public long refusedMalformed() {
    return counters.refusedMalformed;
  }

  /** IHAVE, GRAFT or PRUNE from a peer that is not linked. */
  public long refusedNotNeighbor() {
    return counters.refusedNotNeighbor;
  }

  /** GRAFTs for a message this node does not hold. */
  public long unknownGrafts() {
    return counters.unknownGrafts;
  }

  /** Eager pushes of a message already held. */
  public long duplicates() {
    return counters.duplicates;
  }

  /** Announcements dropped because the missing-message table was full. */
  public long missingDropped() {
    return counters.missingDropped;
  }
}
