package io.shoal.gossip.views;

import io.shoal.gossip.NodeId;
import io.shoal.gossip.views.ViewMessage.ForwardJoin;
import io.shoal.gossip.views.ViewMessage.Shuffle;
import io.shoal.gossip.views.ViewMessage.ShuffleReply;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * HyParView membership (Leitão, Pereira and Rodrigues, "HyParView: a membership protocol for
 * reliable gossip-based broadcast", DSN 2007) for one node.
 *
 * <p>The active view is a small set of symmetric links (TCP connections in the paper; the driver
 * reports a failed one with {@link #onPeerFailed}). A joiner links to its contact, which sends a
 * FORWARD_JOIN random walk down each of its other links: the walk leaves the joiner in a passive
 * view at {@code passiveWalkHops} hops left and links it where it ends. Adding a link to a full
 * view drops a random one (DISCONNECT; both ends keep each other as passive). A lost link is
 * replaced from the passive view with NEIGHBOR, high priority (never refused) when the view is
 * empty, low otherwise (accepted only by a node with a free slot); after {@link
 * ViewConfig#ESCALATE_AFTER_REFUSALS} refusals in a row a short node asks at high priority once, so
 * groups of full nodes cannot refuse each other for good (the paper's rule can leave the overlay
 * cut in two: a group whose nodes are short only of links outside it). A periodic SHUFFLE walk
 * swaps samples of both views with a random node, so passive views stay fresh and dead entries age
 * out.
 *
 * <p>Every table is bounded by the configuration; lists longer than {@link
 * ViewConfig#MAX_SHUFFLE_PEERS} are refused whole and walk lengths are cut to the configured ones.
 */
final class HyParView {
  private final ViewConfig config;
  private final NodeId self;
  private final RandomGenerator random;
  private final ActiveView active;
  private final PassiveView passive;
  private final ArrayDeque<ViewSend> out;
  private final ViewCounters counters;
  private NodeId pendingNeighbor;
  private long pendingDeadlineNanos;
  private int promotionsLeft = ViewConfig.MAX_PROMOTIONS_PER_REPAIR;
  private int refusedInARow;
  private long nextShuffleNanos;
  private long nextRepairNanos;
  private List<NodeId> lastShuffle = List.of();

  HyParView(
      ViewConfig config,
      NodeId self,
      RandomGenerator random,
      ArrayDeque<ViewSend> out,
      ViewCounters counters,
      long nowNanos) {
    this.config = config;
    this.self = self;
    this.random = random;
    this.out = out;
    this.counters = counters;
    this.active = new ActiveView(config.activeViewSize());
    this.passive = new PassiveView(config.passiveViewSize());
    // A random phase, so nodes that start together do not shuffle together.
    this.nextShuffleNanos = nowNanos + 1 + random.nextLong(config.shuffleIntervalNanos());
    this.nextRepairNanos = nowNanos + config.repairIntervalNanos();
  }

  ActiveView active() {
    return active;
  }

  PassiveView passive() {
    return passive;
  }

  void join(NodeId contact) {
    if (!contact.equals(self)) {
      link(contact);
      send(contact, ViewMessage.JOIN);
    }
  }

  void onJoin(NodeId joiner) {
    if (joiner.equals(self)) {
      return;
    }
    link(joiner);
    ForwardJoin walk = new ForwardJoin(joiner, config.activeWalkHops());
    for (int i = 0; i < active.size(); i++) {
      if (!active.peer(i).equals(joiner)) {
        send(active.peer(i), walk);
      }
    }
  }

  void onForwardJoin(NodeId from, ForwardJoin m) {
    NodeId joiner = m.joiner();
    if (m.hopsLeft() < 0) {
      counters.refusedMalformed++;
      return;
    }
    if (joiner.equals(self) || active.contains(joiner)) {
      return;
    }
    int hops = Math.min(m.hopsLeft(), config.activeWalkHops());
    NodeId next = hops == 0 ? null : randomLinkExcept(from, joiner);
    if (next == null) {
      link(joiner);
      send(joiner, ViewMessage.NEIGHBOR_HIGH);
      return;
    }
    if (hops == config.passiveWalkHops()) {
      keepPassive(joiner);
    }
    send(next, new ForwardJoin(joiner, hops - 1));
  }

  void onNeighbor(NodeId from, boolean high) {
    if (active.contains(from)) {
      send(from, ViewMessage.ACCEPTED);
    } else if (high || !active.isFull()) {
      link(from);
      send(from, ViewMessage.ACCEPTED);
    } else {
      send(from, ViewMessage.REFUSED);
    }
  }

  void onNeighborReply(NodeId from, boolean accepted, long nowNanos) {
    boolean asked = from.equals(pendingNeighbor);
    if (asked) {
      pendingNeighbor = null;
    }
    if (!accepted) {
      if (asked) {
        refusedInARow++;
      }
      promote(nowNanos);
    } else if (asked) {
      refusedInARow = 0;
      link(from);
    } else if (!active.contains(from)) {
      // An answer to a link this node has dropped since (a walk's end links the joiner at once):
      // the other end now holds a link this one does not, so drop it there too.
      send(from, ViewMessage.DISCONNECT);
    }
  }

  void onDisconnect(NodeId from, long nowNanos) {
    int slot = active.slotOf(from);
    if (slot >= 0) {
      active.removeSlot(slot);
      keepPassive(from);
      promote(nowNanos);
    }
  }

  /** The link to {@code peer} failed, or it did not answer: it is dropped from both views. */
  void onPeerFailed(NodeId peer, long nowNanos) {
    int slot = active.slotOf(peer);
    if (slot >= 0) {
      active.removeSlot(slot);
    }
    passive.remove(peer);
    if (peer.equals(pendingNeighbor)) {
      pendingNeighbor = null;
    }
    promote(nowNanos);
  }

  void onShuffle(NodeId from, Shuffle m) {
    if (m.peers().size() > ViewConfig.MAX_SHUFFLE_PEERS || m.hopsLeft() < 0) {
      counters.refusedMalformed++;
      return;
    }
    int hops = Math.min(m.hopsLeft(), config.activeWalkHops());
    NodeId next = hops > 1 ? randomLinkExcept(from, m.origin()) : null;
    if (next != null) {
      send(next, new Shuffle(m.origin(), m.peers(), hops - 1));
      return;
    }
    if (m.origin().equals(self)) {
      return;
    }
    List<NodeId> reply = passive.sample(m.peers().size(), random);
    send(m.origin(), new ShuffleReply(reply));
    integrate(m.peers(), reply);
  }

  void onShuffleReply(ShuffleReply m) {
    if (m.peers().size() > ViewConfig.MAX_SHUFFLE_PEERS) {
      counters.refusedMalformed++;
      return;
    }
    integrate(m.peers(), lastShuffle);
  }

  void onTick(long nowNanos) {
    if (pendingNeighbor != null && nowNanos - pendingDeadlineNanos >= 0) {
      passive.remove(pendingNeighbor);
      pendingNeighbor = null;
    }
    if (nowNanos - nextRepairNanos >= 0) {
      nextRepairNanos = nowNanos + config.repairIntervalNanos();
      promotionsLeft = ViewConfig.MAX_PROMOTIONS_PER_REPAIR;
      promote(nowNanos);
    }
    if (nowNanos - nextShuffleNanos >= 0) {
      nextShuffleNanos = nowNanos + config.shuffleIntervalNanos();
      shuffle();
    }
  }

  long earliestDeadline(long next) {
    next = earlier(next, nextShuffleNanos);
    if (pendingNeighbor != null) {
      next = earlier(next, pendingDeadlineNanos);
    }
    if (!active.isFull() && passive.size() > 0 && pendingNeighbor == null) {
      next = earlier(next, nextRepairNanos);
    }
    return next;
  }

  private void shuffle() {
    if (active.size() == 0) {
      return;
    }
    NodeId target = active.peer(random.nextInt(active.size()));
    List<NodeId> sample = new ArrayList<>(1 + config.shuffleActive() + config.shufflePassive());
    sample.add(self);
    for (NodeId p : activeSample(config.shuffleActive() + 1)) {
      if (!p.equals(target) && sample.size() <= config.shuffleActive()) {
        sample.add(p);
      }
    }
    sample.addAll(passive.sample(config.shufflePassive(), random));
    lastShuffle = sample;
    send(target, new Shuffle(self, sample, config.activeWalkHops()));
  }

  private List<NodeId> activeSample(int count) {
    NodeId[] links = new NodeId[active.size()];
    for (int i = 0; i < links.length; i++) {
      links[i] = active.peer(i);
    }
    return PassiveView.sampleOf(links, links.length, count, random);
  }

  /** Asks a random passive peer for a link, unless one is asked already or the budget is spent. */
  private void promote(long nowNanos) {
    if (active.isFull() || pendingNeighbor != null || passive.size() == 0 || promotionsLeft == 0) {
      return;
    }
    promotionsLeft--;
    pendingNeighbor = passive.random(random);
    pendingDeadlineNanos = nowNanos + ViewConfig.NEIGHBOR_TIMEOUT_NANOS;
    boolean high = active.size() == 0 || refusedInARow >= ViewConfig.ESCALATE_AFTER_REFUSALS;
    if (high) {
      refusedInARow = 0;
    }
    send(pendingNeighbor, high ? ViewMessage.NEIGHBOR_HIGH : ViewMessage.NEIGHBOR_LOW);
  }

  /** Adds {@code peer} to the active view, dropping a random link when it is full. */
  private void link(NodeId peer) {
    if (peer.equals(self) || active.contains(peer)) {
      return;
    }
    if (active.isFull()) {
      int slot = random.nextInt(active.size());
      NodeId dropped = active.peer(slot);
      active.removeSlot(slot);
      send(dropped, ViewMessage.DISCONNECT);
      keepPassive(dropped);
    }
    passive.remove(peer);
    active.add(peer);
  }

  private void keepPassive(NodeId peer) {
    if (peer.equals(self) || active.contains(peer) || passive.contains(peer)) {
      return;
    }
    if (passive.isFull()) {
      passive.removeAt(random.nextInt(passive.size()));
    }
    passive.add(peer);
  }

  /** Adds shuffled-in peers to the passive view, evicting first the ones this node sent away. */
  private void integrate(List<NodeId> peers, List<NodeId> sentAway) {
    int evictable = 0;
    for (NodeId p : peers) {
      if (p.equals(self) || active.contains(p) || passive.contains(p)) {
        continue;
      }
      if (passive.isFull()) {
        boolean evicted = false;
        while (!evicted && evictable < sentAway.size()) {
          evicted = passive.remove(sentAway.get(evictable++));
        }
        if (!evicted) {
          passive.removeAt(random.nextInt(passive.size()));
        }
      }
      passive.add(p);
    }
  }

  /** A random link other than {@code a} and {@code b}, or null when there is none. */
  private NodeId randomLinkExcept(NodeId a, NodeId b) {
    int n = active.size();
    if (n == 0) {
      return null;
    }
    int start = random.nextInt(n);
    for (int k = 0; k < n; k++) {
      NodeId p = active.peer((start + k) % n);
      if (!p.equals(a) && !p.equals(b)) {
        return p;
      }
    }
    return null;
  }

  private void send(NodeId to, ViewMessage m) {
    out.add(new ViewSend(to, m));
  }

  private static long earlier(long a, long b) {
    return b - a < 0 ? b : a;
  }
}
