package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.FetchCore.Outbound;
import io.shoal.node.core.TransferMessage.Cancel;
import io.shoal.node.core.TransferMessage.HaveUpdate;
import io.shoal.node.core.TransferMessage.Request;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * The fetches a {@link TransferSession} runs, by root, and what they share: the request index, the
 * node's in-flight budget and its bans. Carries each fetch core's outputs into the session's queues
 * ({@link #drain}), and ends fetches so that nothing of them stays behind. Single-threaded.
 */
final class FetchTable {
  private final TreeMap<ChunkId, FetchSession> byRoot = new TreeMap<>();
  final RequestIndex requests = new RequestIndex();
  final InFlightBudget budget;
  final PeerBans bans;
  private final Holders holders;
  private final ArrayDeque<Outbound> outbox;
  private final ArrayDeque<TransferEvent> events;

  FetchTable(
      TransferConfig config,
      Holders holders,
      ArrayDeque<Outbound> outbox,
      ArrayDeque<TransferEvent> events) {
    this.budget = new InFlightBudget(config.maxNodeInFlightBytes());
    this.bans = new PeerBans(config.banNanos());
    this.holders = holders;
    this.outbox = outbox;
    this.events = events;
  }

  FetchSession get(ChunkId root) {
    return byRoot.get(root);
  }

  void put(FetchSession f) {
    byRoot.put(f.root, f);
  }

  boolean containsKey(ChunkId root) {
    return byRoot.containsKey(root);
  }

  boolean isEmpty() {
    return byRoot.isEmpty();
  }

  int size() {
    return byRoot.size();
  }

  /** The fetches, in root order (a live view). */
  Collection<FetchSession> values() {
    return byRoot.values();
  }

  void sendHaveUpdates(FetchSession f) {
    ChunkBitmap added = f.takeHaveUpdate();
    for (NodeId peer : added == null ? List.<NodeId>of() : f.interested) {
      outbox.add(new Outbound(peer, new HaveUpdate(f.root, added)));
    }
  }

  /** Moves what the fetch core produced into the session's outputs. */
  void drain(FetchSession f, long nowNanos) {
    for (Outbound o; (o = f.core.pollOutbound()) != null; ) {
      if (o.message() instanceof Request r) {
        requests.put(r.requestId(), f, r.id(), o.peer());
      } else if (o.message() instanceof Cancel c) {
        requests.remove(c.requestId());
      }
      if (!holders.isUp(o.peer())) {
        f.knownPeers.remove(o.peer());
        f.core.onPeerGone(o.peer(), nowNanos);
        continue;
      }
      outbox.add(o);
    }
    for (FetchEvent e; (e = f.core.pollEvent()) != null; ) {
      if (e instanceof FetchEvent.BadChunk b) {
        events.add(new TransferEvent.BadChunk(f.root, b.peer(), b.id()));
      } else if (e instanceof FetchEvent.RequestDropped d) {
        requests.remove(d.requestId());
      } else if (e instanceof FetchEvent.PeerBanned b) {
        banned(f, b, nowNanos);
      } else if (e instanceof FetchEvent.Completed) {
        end(f);
        events.add(new TransferEvent.Completed(f.root, f));
        return;
      }
    }
  }

  /** {@code f} ended (completed, stalled, cancelled): its requests and their bytes go with it. */
  void end(FetchSession f) {
    byRoot.remove(f.root);
    f.core.abandon();
    requests.forget(f);
  }

  /**
   * {@code f} banned a peer: this node bans it for {@link TransferConfig#banNanos}, and the other
   * fetches let it go (cancelling what they asked of it) and choose again.
   */
  private void banned(FetchSession f, FetchEvent.PeerBanned b, long nowNanos) {
    bans.ban(b.peer(), b.reason() + " (fetching " + f.root + ")", nowNanos);
    events.add(new TransferEvent.PeerBanned(f.root, b.peer(), b.reason()));
    for (FetchSession other : new ArrayList<>(byRoot.values())) {
      if (other != f && PeerRefresh.release(other, b.peer(), nowNanos)) {
        drain(other, nowNanos);
      }
    }
  }

  /**
   * Bytes came back to the node's in-flight budget after a fetch was turned away from it: every
   * fetch, in root order, fills its windows again.
   */
  void shareBudget(long nowNanos) {
    if (budget.takeWanted()) {
      for (FetchSession f : new ArrayList<>(byRoot.values())) {
        if (byRoot.get(f.root) == f) {
          f.core.reschedule(nowNanos);
          drain(f, nowNanos);
        }
      }
    }
  }
}
