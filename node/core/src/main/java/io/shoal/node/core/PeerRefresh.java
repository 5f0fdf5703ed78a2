package io.shoal.node.core;

import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which peers each fetch of a {@link TransferSession} talks to, kept fresh as holders come and go:
 * {@link PeerChoice} over every holder while slots are free (again each time the directory reports
 * a change), and, once the fetch is full, {@link PeerChoice#swap} over the holders that became
 * visible since the last look, a bounded number per refresh.
 */
final class PeerRefresh {
  /** Most newly visible holders one refresh looks at for a better peer. */
  static final int ARRIVALS_PER_TICK = 64;

  private final NodeId self;
  private final Holders holders;
  private final PeerBans bans;

  /** Holders in this node's zone, which rank first; null without a zone. */
  private final Predicate<NodeId> near;

  PeerRefresh(NodeId self, Holders holders, PeerBans bans, String zone) {
    this.self = self;
    this.holders = holders;
    this.bans = bans;
    this.near = zone.isEmpty() ? null : peer -> zone.equals(holders.zoneOf(peer));
  }

  /** The periodic refresh; returns whether it swapped a peer (the fetch has outputs to drain). */
  boolean onTick(FetchSession f, long nowNanos) {
    if (!holders.reportsPartialHolders()
        && holders.arrivals(f.root).size() != f.arrivalsAtRefresh) {
      f.peersDirty = true;
    }
    if (f.peersDirty && f.knownPeers.size() < PeerChoice.MAX_PEERS_PER_FETCH) {
      choose(f, nowNanos);
    }
    return f.knownPeers.size() >= PeerChoice.MAX_PEERS_PER_FETCH && swap(f, nowNanos);
  }

  /** Lets {@code peer} go from {@code f} (its requests cancelled); returns whether f had it. */
  static boolean release(FetchSession f, NodeId peer, long nowNanos) {
    if (!f.knownPeers.remove(peer)) {
      return false;
    }
    f.completePeers.remove(peer);
    f.core.onPeerReleased(peer, nowNanos);
    f.peersDirty = true;
    return true;
  }

  /** Chooses peers from every holder, as far as slots are free. */
  void choose(FetchSession f, long nowNanos) {
    f.peersDirty = false;
    f.arrivalsAtRefresh = holders.reportsPartialHolders() ? 0 : holders.arrivals(f.root).size();
    for (PeerChoice.Candidate c :
        PeerChoice.choose(
            self, unbanned(f, nowNanos), f.knownPeers, PeerChoice.MAX_PEERS_PER_FETCH, near)) {
      f.knownPeers.add(c.id());
      f.core.addPeer(c.id(), c.complete(), nowNanos);
      if (c.complete()) {
        f.completePeers.add(c.id());
      }
    }
  }

  /** The holders of {@code f}'s root that are not banned (the directory's list when none is). */
  private List<PeerChoice.Candidate> unbanned(FetchSession f, long nowNanos) {
    List<PeerChoice.Candidate> all = holders.of(f.root);
    if (bans.isEmpty()) {
      return all;
    }
    List<PeerChoice.Candidate> out = new ArrayList<>(all.size());
    for (PeerChoice.Candidate c : all) {
      if (!bans.isBanned(c.id(), nowNanos)) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * {@link PeerChoice#swap} over the chosen peers and the holders that became visible since the
   * last look, a bounded number at a time: looking at every holder at every refresh would cost
   * O(holders) per fetch per refresh.
   */
  private boolean swap(FetchSession f, long nowNanos) {
    List<NodeId> seen = holders.arrivals(f.root);
    int end = Math.min(seen.size(), f.arrivalsSeen + ARRIVALS_PER_TICK);
    if (end <= f.arrivalsSeen) {
      return false;
    }
    List<PeerChoice.Candidate> candidates = new ArrayList<>();
    for (NodeId peer : f.knownPeers) {
      candidates.add(new PeerChoice.Candidate(peer, f.completePeers.contains(peer)));
    }
    for (NodeId peer : seen.subList(f.arrivalsSeen, end)) {
      if (!f.knownPeers.contains(peer) && holders.isUp(peer) && !bans.isBanned(peer, nowNanos)) {
        candidates.add(new PeerChoice.Candidate(peer, false));
      }
    }
    f.arrivalsSeen = end;
    PeerChoice.Swap swap =
        PeerChoice.swap(self, candidates, f.knownPeers, PeerChoice.MAX_PEERS_PER_FETCH, near);
    if (swap != null) {
      f.knownPeers.remove(swap.drop());
      f.core.onPeerReleased(swap.drop(), nowNanos);
      f.knownPeers.add(swap.add().id());
      f.core.addPeer(swap.add().id(), false, nowNanos);
      return true;
    }
    return false;
  }
}
