package io.shoal.gossip.views;

import io.shoal.gossip.NodeId;
import io.shoal.gossip.views.ViewMessage.Gossip;
import io.shoal.gossip.views.ViewMessage.IHave;
import java.util.ArrayDeque;

/**
 * Plumtree broadcast (Leitão, Pereira and Rodrigues, "Epidemic broadcast trees", SRDS 2007) over
 * the links of the active view, for one node.
 *
 * <p>Each link is eager (messages are pushed whole) or lazy (only their ids are announced, in IHAVE
 * batches every {@code lazyFlushNanos}). Every new link starts eager; a node that receives a
 * message it already has prunes the link it came on (PRUNE makes both ends lazy), so the eager
 * links settle into a spanning tree. A node that hears of a message by IHAVE and does not get it
 * within {@code graftTimeoutNanos} asks an announcer with GRAFT, which also makes that link eager
 * again: the tree heals around failed or dropped links.
 *
 * <p>One tree serves every origin (the paper's basic protocol; per-origin trees are an optimization
 * it describes). A GOSSIP from a peer that is not linked is still delivered and forwarded (its
 * payload is good) but changes no link; IHAVE, GRAFT and PRUNE from such a peer are refused. A
 * GRAFT for a message not held makes the link eager and sends nothing.
 */
final class Plumtree {
  private final ViewConfig config;
  private final ActiveView active;
  private final ArrayDeque<ViewSend> out;
  private final ArrayDeque<Delivery> deliveries;
  private final ViewCounters counters;
  private final MessageCache cache = new MessageCache(ViewConfig.MESSAGE_CACHE_ENTRIES);
  private final MissingMessages missing = new MissingMessages();
  private boolean flushPending;
  private long flushAtNanos;

  Plumtree(
      ViewConfig config,
      ActiveView active,
      ArrayDeque<ViewSend> out,
      ArrayDeque<Delivery> deliveries,
      ViewCounters counters) {
    this.config = config;
    this.active = active;
    this.out = out;
    this.deliveries = deliveries;
    this.counters = counters;
  }

  boolean has(long id) {
    return cache.contains(id);
  }

  int missingCount() {
    return missing.size();
  }

  /** Sends a new message from this node; false when {@code id} was seen already. */
  boolean broadcast(long id, byte[] payload, long nowNanos) {
    if (cache.contains(id)) {
      return false;
    }
    cache.put(id, payload);
    forward(new Gossip(id, 0, payload), null, nowNanos);
    return true;
  }

  void onGossip(NodeId from, Gossip m, long nowNanos) {
    if (m.payload().length > ViewConfig.MAX_PAYLOAD_BYTES || m.round() < 0) {
      counters.refusedMalformed++;
      return;
    }
    int slot = active.slotOf(from);
    if (cache.contains(m.id())) {
      counters.duplicates++;
      if (slot >= 0) {
        active.setEager(slot, false);
        out.add(new ViewSend(from, ViewMessage.PRUNE));
      }
      return;
    }
    cache.put(m.id(), m.payload());
    missing.remove(m.id());
    deliveries.add(new Delivery(m.id(), m.payload()));
    if (slot >= 0) {
      active.setEager(slot, true);
    }
    forward(m, from, nowNanos);
  }

  void onIHave(NodeId from, IHave m, long nowNanos) {
    if (m.ids().length > ViewConfig.MAX_IHAVE_IDS) {
      counters.refusedMalformed++;
      return;
    }
    if (!active.contains(from)) {
      counters.refusedNotNeighbor++;
      return;
    }
    for (long id : m.ids()) {
      if (!cache.contains(id)
          && !missing.announce(id, from, nowNanos + config.graftTimeoutNanos())) {
        counters.missingDropped++;
      }
    }
  }

  void onGraft(NodeId from, long id) {
    int slot = active.slotOf(from);
    if (slot < 0) {
      counters.refusedNotNeighbor++;
      return;
    }
    active.setEager(slot, true);
    byte[] payload = cache.get(id);
    if (payload == null) {
      counters.unknownGrafts++;
      return;
    }
    out.add(new ViewSend(from, new Gossip(id, 0, payload)));
  }

  void onPrune(NodeId from) {
    int slot = active.slotOf(from);
    if (slot < 0) {
      counters.refusedNotNeighbor++;
      return;
    }
    active.setEager(slot, false);
  }

  void onTick(long nowNanos) {
    if (flushPending && nowNanos - flushAtNanos >= 0) {
      flushPending = false;
      for (int slot = 0; slot < active.size(); slot++) {
        flush(slot);
      }
    }
    for (int i = 0; i < missing.size(); ) {
      if (!missing.isDue(i, nowNanos)) {
        i++;
        continue;
      }
      NodeId announcer = nextLinkedAnnouncer(i);
      if (announcer == null) {
        missing.removeAt(i);
        continue;
      }
      active.setEager(active.slotOf(announcer), true);
      out.add(new ViewSend(announcer, new ViewMessage.Graft(missing.id(i))));
      missing.setDeadline(i, nowNanos + config.graftRetryNanos());
      i++;
    }
  }

  long earliestDeadline(long next) {
    if (flushPending && flushAtNanos - next < 0) {
      next = flushAtNanos;
    }
    return missing.earliestDeadline(next);
  }

  /** Pushes {@code m} (one hop further) on eager links and announces it on lazy ones. */
  private void forward(Gossip m, NodeId from, long nowNanos) {
    Gossip next = new Gossip(m.id(), m.round() + 1, m.payload());
    for (int slot = 0; slot < active.size(); slot++) {
      NodeId peer = active.peer(slot);
      if (peer.equals(from)) {
        continue;
      }
      if (active.isEager(slot)) {
        out.add(new ViewSend(peer, next));
      } else if (active.announce(slot, m.id())) {
        flush(slot);
      } else if (!flushPending) {
        flushPending = true;
        flushAtNanos = nowNanos + config.lazyFlushNanos();
      }
    }
  }

  private void flush(int slot) {
    long[] ids = active.takeAnnouncements(slot);
    if (ids.length > 0) {
      out.add(new ViewSend(active.peer(slot), new IHave(ids)));
    }
  }

  private NodeId nextLinkedAnnouncer(int i) {
    for (NodeId a = missing.takeAnnouncer(i); a != null; a = missing.takeAnnouncer(i)) {
      if (active.contains(a)) {
        return a;
      }
    }
    return null;
  }
}
