package io.shoal.node.core;

import io.shoal.gossip.NodeId;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

/** A peer of one fetch: what it holds, its request window and what it has in flight. */
final class FetchPeer {
  final NodeId id;
  final boolean metadataHolder;
  boolean all;
  BitSet have = new BitSet();

  /** Where the next search of {@link #have} starts. */
  int cursor;

  /**
   * A full search found nothing this peer can serve; nothing will be found until its bitmap or the
   * pending set grows. Spares a scan per peer per event (a swarm's leechers mostly hold nothing a
   * given fetcher still wants).
   */
  boolean exhausted;

  final RateEstimator rate = new RateEstimator();
  long window;
  long inFlightBytes;
  int strikes;
  boolean banned;
  final Set<Long> requests = new HashSet<>();

  /** Decides what this peer may be asked for when it is in another zone; null otherwise. */
  ZoneGate crossGate;

  FetchPeer(NodeId id, boolean metadataHolder, long window) {
    this.id = id;
    this.metadataHolder = metadataHolder;
    this.window = window;
  }

  boolean canServe(WantedChunk item) {
    return !banned && holds(item) && !item.excludes(id);
  }

  /** Whether to ask it for {@code item} now: it can serve it, and its zone's gate lets it. */
  boolean mayAsk(WantedChunk item) {
    return canServe(item) && mayCross(item);
  }

  boolean mayCross(WantedChunk item) {
    return crossGate == null || crossGate.mayCross(item);
  }

  /** Whether it holds the chunk, by its claim or its bitmap (checked first: it is cheap). */
  boolean holds(WantedChunk item) {
    if (item.wanted.isMetadata()) {
      return metadataHolder || all;
    }
    if (all) {
      return true;
    }
    for (int leaf : item.leaves) {
      if (have.get(leaf)) {
        return true;
      }
    }
    return false;
  }
}
