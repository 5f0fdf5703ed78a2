package io.shoal.sim;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.PeerChoice;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The directory of holders that gossip would converge to, kept once for the whole swarm, so that
 * very large fault-free swarm joins can run without a gossip core per node: a catalog change shows
 * everywhere after {@link #disseminationRounds} gossip intervals. Off (every query null) when
 * gossip keeps the directories. Not thread-safe.
 */
final class ConvergedDirectory {
  /**
   * Gossip intervals a catalog change takes to reach everyone, in the converged directory: log3 N
   * hops (fanout 3) of half an interval each (nodes push at random phases). Calibrated on the real
   * cores: at N = 1,000 this gives 0.63 s, where gossip mode measured 0.47 s (DisseminationTest)
   * and 0.64 s (bench/simulate.sh membership).
   */
  static double disseminationRounds(int nodes) {
    return Math.log(nodes) / Math.log(3) / 2;
  }

  private final boolean gossipMode;
  private final int seeders;
  private final long gossipIntervalNanos;
  private final EventQueue queue;
  private final NodeTimers timers;
  private final Map<ChunkId, TreeMap<NodeId, Boolean>> converged = new HashMap<>();
  private final Map<ChunkId, List<NodeId>> arrivals = new HashMap<>();

  /**
   * The holders lists handed out, by root, until the next change: every fetch of a large swarm asks
   * for them at its refreshes, and rebuilding the list each time cost O(holders) per ask.
   */
  private final Map<ChunkId, List<PeerChoice.Candidate>> holdersLists = new HashMap<>();

  /** Complete holders by root: whether a root has one, without scanning its holders. */
  private final Map<ChunkId, Integer> completeCounts = new HashMap<>();

  /**
   * @param gossipMode whether gossip keeps the directories (this one is then off)
   * @param seeders nodes that publish at the start: their catalogs show at once
   */
  ConvergedDirectory(
      boolean gossipMode,
      int seeders,
      long gossipIntervalNanos,
      EventQueue queue,
      NodeTimers timers) {
    this.gossipMode = gossipMode;
    this.seeders = seeders;
    this.gossipIntervalNanos = gossipIntervalNanos;
    this.queue = queue;
    this.timers = timers;
  }

  /** The holders of {@code root}, complete or not, in id order; null when gossip keeps them. */
  List<PeerChoice.Candidate> holders(ChunkId root) {
    if (gossipMode) {
      return null;
    }
    return holdersLists.computeIfAbsent(root, this::listHolders);
  }

  private List<PeerChoice.Candidate> listHolders(ChunkId root) {
    List<PeerChoice.Candidate> out = new ArrayList<>();
    TreeMap<NodeId, Boolean> h = converged.get(root);
    if (h != null) {
      for (Map.Entry<NodeId, Boolean> e : h.entrySet()) {
        out.add(new PeerChoice.Candidate(e.getKey(), e.getValue()));
      }
    }
    return Collections.unmodifiableList(out);
  }

  private boolean hasCompleteHolder(ChunkId root) {
    return completeCounts.getOrDefault(root, 0) > 0;
  }

  /** Partial holders of {@code root} in the order they became visible; null in gossip mode. */
  List<NodeId> arrivals(ChunkId root) {
    return gossipMode ? null : arrivals.getOrDefault(root, List.of());
  }

  /**
   * Node {@code n}'s catalog now lists {@code snap}: visible to all after the dissemination delay.
   * The first complete holder announces the winner to every live node; later ones matter to
   * fetchers only.
   *
   * @param nodes every node of the cluster (the live list: nodes that join meanwhile count)
   */
  void put(SimNode n, SnapshotModel snap, boolean complete, List<SimNode> nodes) {
    if (gossipMode) {
      return;
    }
    long now = queue.now();
    long delay = (long) (disseminationRounds(nodes.size()) * gossipIntervalNanos);
    queue.at(
        now + (complete && n.index < seeders && now == 0 ? 0 : delay),
        () -> {
          TreeMap<NodeId, Boolean> h = converged.computeIfAbsent(snap.root, k -> new TreeMap<>());
          boolean announced = hasCompleteHolder(snap.root);
          Boolean was = h.put(n.id, complete);
          if (was == null || was != complete) {
            holdersLists.remove(snap.root);
            int delta = (complete ? 1 : 0) - (was != null && was ? 1 : 0);
            completeCounts.merge(snap.root, delta, Integer::sum);
          }
          if (was == null && !complete) {
            // Fetchers see the list grow at their next tick; no need to tell each one.
            arrivals.computeIfAbsent(snap.root, k -> new ArrayList<>()).add(n.id);
          }
          if (!complete) {
            return;
          }
          for (SimNode other : nodes) {
            // The first complete holder announces the winner to all; later ones matter to
            // fetchers only.
            if (other.up && other != n && (!announced || other.isFetching(snap.root))) {
              other.onConvergedHolder(n.id, snap, true, queue.now());
              timers.reschedule(other);
            }
          }
        });
  }

  /**
   * Tells a node that starts which of the {@code winners} have a complete holder already, as the
   * first sync with a seed would; a no-op in gossip mode.
   */
  void greet(SimNode n, NodeId seedId, Collection<SnapshotModel> winners) {
    if (gossipMode) {
      return;
    }
    for (SnapshotModel w : winners) {
      if (hasCompleteHolder(w.root)) {
        n.onConvergedHolder(seedId, w, true, queue.now());
      }
    }
  }
}
