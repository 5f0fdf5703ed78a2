package io.shoal.node.core;

import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which holders of a snapshot one fetch talks to. Talking to every holder does not scale: in a
 * swarm of ten thousand, each fetcher would query ten thousand peers and each peer would answer ten
 * thousand fetchers (the simulator showed it). So a fetch keeps at most {@link
 * #MAX_PEERS_PER_FETCH} peers, as BitTorrent clients keep 30 to 80: complete holders first, up to
 * half the slots (they can serve anything), then partial holders. Among equals, holders are ranked
 * by a hash of this node's id and theirs (rendezvous hashing), so different fetchers pick different
 * subsets and the swarm forms a random graph rather than a star.
 *
 * <p>Holders become visible over time (gossip brings them), so the first slots fill with the first
 * few visible, the same few for every fetcher. {@link #swap} then trades, a peer at a time, the
 * worst-ranked partial peer for a better-ranked newcomer, and each fetcher's set drifts to its own
 * top ranks over all holders: a uniform random graph, not a crowd on the early ones (the simulator
 * showed 2,000 fetchers piling onto 130 peers without it). Pure and deterministic.
 */
public final class PeerChoice {
  /** Most peers one fetch talks to. */
  public static final int MAX_PEERS_PER_FETCH = 32;

  /**
   * A member holding the snapshot.
   *
   * @param id the member
   * @param complete whether it holds every chunk
   */
  public record Candidate(NodeId id, boolean complete) {}

  private PeerChoice() {}

  /**
   * The holders to add, given those already {@code chosen}, so that at most {@code max} are chosen
   * in all.
   */
  public static List<Candidate> choose(
      NodeId self, List<Candidate> holders, Set<NodeId> chosen, int max) {
    return choose(self, holders, chosen, max, null);
  }

  /**
   * As {@link #choose(NodeId, List, Set, int)}, holders {@code near} (in this node's zone) ranking
   * before all others; null ranks every holder alike.
   */
  public static List<Candidate> choose(
      NodeId self, List<Candidate> holders, Set<NodeId> chosen, int max, Predicate<NodeId> near) {
    int completeChosen = 0;
    List<Candidate> open = new ArrayList<>();
    for (Candidate c : holders) {
      if (chosen.contains(c.id())) {
        completeChosen += c.complete() ? 1 : 0;
      } else if (!c.id().equals(self)) {
        open.add(c);
      }
    }
    int slots = max - chosen.size();
    if (slots <= 0 || open.isEmpty()) {
      return List.of();
    }
    // Top-k selections, not a sort: a swarm may list thousands of holders.
    Comparator<Candidate> order = byRank(self, near);
    List<Candidate> out =
        best(order, open, Math.min(slots, Math.max(0, max / 2 - completeChosen)), true);
    open.removeAll(out);
    out.addAll(best(order, open, slots - out.size(), false));
    out.sort(order);
    return out;
  }

  /**
   * A trade of one chosen partial peer for a better-ranked holder not chosen yet.
   *
   * @param drop the peer to let go (its in-flight requests go elsewhere)
   * @param add the holder to take instead
   */
  public record Swap(NodeId drop, Candidate add) {}

  /**
   * The trade that most improves the chosen set, or null when the set is not full or no unchosen
   * partial holder outranks a chosen partial one. Complete holders are never dropped.
   */
  public static Swap swap(NodeId self, List<Candidate> holders, Set<NodeId> chosen, int max) {
    return swap(self, holders, chosen, max, null);
  }

  /** As {@link #swap(NodeId, List, Set, int)}, holders {@code near} ranking before all others. */
  public static Swap swap(
      NodeId self, List<Candidate> holders, Set<NodeId> chosen, int max, Predicate<NodeId> near) {
    if (chosen.size() < max) {
      return null;
    }
    Candidate worst = null;
    Candidate best = null;
    Comparator<Candidate> order = byRank(self, near);
    for (Candidate c : holders) {
      if (c.complete() || c.id().equals(self)) {
        continue;
      }
      if (chosen.contains(c.id())) {
        if (worst == null || order.compare(c, worst) > 0) {
          worst = c;
        }
      } else if (best == null || order.compare(c, best) < 0) {
        best = c;
      }
    }
    return worst != null && best != null && order.compare(best, worst) < 0
        ? new Swap(worst.id(), best)
        : null;
  }

  /** The {@code k} best-ranked candidates (only complete ones if {@code completeOnly}). */
  private static List<Candidate> best(
      Comparator<Candidate> order, List<Candidate> candidates, int k, boolean completeOnly) {
    if (k <= 0) {
      return new ArrayList<>();
    }
    PriorityQueue<Candidate> worstFirst = new PriorityQueue<>(k + 1, order.reversed());
    for (Candidate c : candidates) {
      if (!completeOnly || c.complete()) {
        worstFirst.add(c);
        if (worstFirst.size() > k) {
          worstFirst.poll();
        }
      }
    }
    return new ArrayList<>(worstFirst);
  }

  private static Comparator<Candidate> byRank(NodeId self, Predicate<NodeId> near) {
    Comparator<Candidate> byRank =
        Comparator.comparingLong((Candidate c) -> rank(self, c.id())).thenComparing(Candidate::id);
    return near == null
        ? byRank
        : Comparator.comparingInt((Candidate c) -> near.test(c.id()) ? 0 : 1).thenComparing(byRank);
  }

  /** A well-mixed 64-bit rank of {@code holder} as seen from {@code self}. */
  static long rank(NodeId self, NodeId holder) {
    long x = self.high() * 0x9E3779B97F4A7C15L ^ self.low() ^ holder.high() * 31 ^ holder.low();
    x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
    x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
    return x ^ (x >>> 31);
  }
}
