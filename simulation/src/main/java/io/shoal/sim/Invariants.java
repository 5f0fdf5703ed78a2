package io.shoal.sim;

import io.shoal.gossip.MemberState;
import io.shoal.gossip.MemberView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What must hold in every run, checked as it goes and after it ends: no node stores a chunk whose
 * bytes are bad; after convergence every live node sees exactly the live members as alive and all
 * agree on the winners; every version a node lists as complete has all its chunks (and, with real
 * payloads, reads back as published). Not thread-safe.
 */
final class Invariants {
  private final boolean gossipMode;
  private final Cluster cluster;
  private final PublishedSnapshots published;
  private final ChunkUniverse universe;
  private final RealPayload real;
  private final List<String> violations = new ArrayList<>();

  /**
   * @param real real payloads, or null for virtual ones
   */
  Invariants(
      boolean gossipMode,
      Cluster cluster,
      PublishedSnapshots published,
      ChunkUniverse universe,
      RealPayload real) {
    this.gossipMode = gossipMode;
    this.cluster = cluster;
    this.published = published;
    this.universe = universe;
    this.real = real;
  }

  /** The invariants that failed so far. */
  List<String> violations() {
    return violations;
  }

  /** A node stored a chunk; {@code corrupt} if its bytes were bad (must never be). */
  void chunkStored(SimNode n, int chunk, boolean corrupt) {
    if (corrupt) {
      violations.add(
          "node "
              + n.index
              + " stored chunk "
              + universe.id(chunk).toShortHex()
              + " with bad bytes");
    }
  }

  /**
   * A node finished fetching {@code snap} and records it complete: it must hold every chunk now, or
   * it would announce chunks that a read does not find.
   */
  void fetchCompleted(SimNode n, SnapshotModel snap) {
    if (!holdsAll(n, snap)) {
      violations.add(
          "node "
              + n.index
              + " finished "
              + snap.name
              + "@"
              + snap.version
              + " before holding all its chunks");
    }
  }

  /** Live nodes that do not see exactly the live members as alive. */
  List<String> membershipViolations(int live) {
    List<String> out = new ArrayList<>();
    if (!gossipMode) {
      return out;
    }
    for (SimNode n : cluster.nodes()) {
      if (!n.up) {
        continue;
      }
      long alive = 0;
      for (MemberView m : n.gossip.members()) {
        SimNode other = cluster.byId(m.id());
        if (m.state() == MemberState.ALIVE && other != null && other.up) {
          alive++;
        }
      }
      if (alive != live || n.gossip.reachableMembers() != live) {
        out.add("node " + n.index + " sees " + alive + " of " + live + " live members as alive");
      }
    }
    return out;
  }

  /** The checks after the run; membership and winners only when it converged. */
  void checkAtEnd(boolean converged) {
    int live = 0;
    for (SimNode n : cluster.nodes()) {
      live += n.up ? 1 : 0;
    }
    if (converged) {
      violations.addAll(membershipViolations(live));
    }
    Object firstWinners = null;
    for (SimNode n : cluster.nodes()) {
      if (n.up && gossipMode && converged) {
        Map<String, String> w = new TreeMap<>();
        n.gossip.winners().forEach((name, x) -> w.put(name, x.version() + "/" + x.root()));
        if (firstWinners == null) {
          firstWinners = w;
        } else if (!firstWinners.equals(w)) {
          violations.add("node " + n.index + " disagrees on the winners: " + w);
        }
      }
      checkCatalog(n);
    }
  }

  /** Every version {@code n} lists as complete has all its chunks and reads back as published. */
  private void checkCatalog(SimNode n) {
    for (var e : n.catalog.entrySet()) {
      for (var v : e.getValue().values()) {
        SnapshotModel snap = published.get(v.root());
        if (v.complete() && snap != null && real != null && !real.readsBack(n.store, snap)) {
          violations.add(
              "node "
                  + n.index
                  + " reads "
                  + snap.name
                  + "@"
                  + snap.version
                  + " back differently from what was published");
        }
        if (v.complete() && snap != null && !holdsAll(n, snap)) {
          violations.add(
              "node "
                  + n.index
                  + " lists "
                  + snap.name
                  + "@"
                  + snap.version
                  + " complete without all its chunks");
        }
      }
    }
  }

  private static boolean holdsAll(SimNode n, SnapshotModel snap) {
    for (int c : snap.metadata) {
      if (!n.held.get(c)) {
        return false;
      }
    }
    for (int c : snap.leaves) {
      if (!n.held.get(c)) {
        return false;
      }
    }
    return true;
  }
}
