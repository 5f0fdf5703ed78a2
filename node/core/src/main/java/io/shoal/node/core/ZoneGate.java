package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Whether one fetch may ask a peer in another zone for a chunk: links between zones are the scarce
 * ones, so a zone should pull about one copy of each chunk across and spread it inside.
 *
 * <ul>
 *   <li><b>Own zone first.</b> A chunk that a peer of this fetch in this node's zone holds is never
 *       asked across; that peer serves it.
 *   <li><b>One crosser per chunk.</b> For a chunk no such peer holds, the zone-mates fetching the
 *       same snapshot (the members of this zone that announce it partially, as gossip says) are
 *       ranked by a hash of their id and the chunk's index (rendezvous hashing). The first may
 *       cross at once; the others wait for it, as they would for any zone-mate that is about to
 *       have the chunk, and fetch it inside the zone once one of their peers holds it.
 *   <li><b>No deadlock.</b> A zone-mate may be gone, stalled, or holding part of the snapshot
 *       without fetching the rest. So the k-th ranked may cross once the fetch is k times {@link
 *       #CROSS_STAGGER_NANOS} old (at most {@link #MAX_STAGGER_STEPS} steps): a chunk no zone-mate
 *       will ever get still comes, late rather than never.
 * </ul>
 *
 * Metadata chunks are asked across only when no peer of the fetch is in this zone (every partial
 * holder holds them). Without a zone the gate never closes, and the fetch behaves as without it.
 * Peers that announce no zone count as other zones. Single-threaded, owned by its {@link
 * FetchCore}; see {@code docs/architecture.md} for the argument.
 */
final class ZoneGate {
  /** How much later each further-ranked zone-mate may cross for a chunk. */
  static final long CROSS_STAGGER_NANOS = 10_000_000_000L;

  /**
   * How long a fetch waits before it asks across for data at all: gossip needs that long to show it
   * the zone-mates fetching with it, and a node that sees few of them takes itself for the first
   * ranked for too many chunks.
   */
  static final long SETTLE_NANOS = 2_000_000_000L;

  /** Most stagger steps: every zone-mate may cross after this many. */
  static final int MAX_STAGGER_STEPS = 6;

  /** Most zone-mates ranked (the first in id order): ranking costs this much per chunk. */
  static final int MAX_RANKED_MATES = 1024;

  /** How often the zone-mates are looked up again when no new holder appeared. */
  static final long MATES_REFRESH_NANOS = 1_000_000_000L;

  private final NodeId self;
  private final String zone;
  private final Holders holders;
  private final long startNanos;

  /** Peers of the fetch in this zone. */
  private final List<FetchPeer> local = new ArrayList<>();

  private List<NodeId> mates = List.of();
  private int epoch = 1;
  private int steps = -1;
  private boolean localChanged;
  private int arrivalsAtScan = -1;
  private long scannedNanos;

  /**
   * @param zone this node's zone, or empty for none (the gate then never closes)
   * @param holders who holds the snapshot, and their zones
   */
  ZoneGate(NodeId self, String zone, Holders holders, long nowNanos) {
    this.self = self;
    this.zone = zone;
    this.holders = holders;
    this.startNanos = nowNanos;
  }

  /** A gate that never closes: no zone. */
  static ZoneGate off() {
    return new ZoneGate(null, "", null, 0);
  }

  boolean isOn() {
    return !zone.isEmpty();
  }

  /** A peer joined the fetch: a zone-mate serves this zone, any other peer is gated. */
  void onPeerAdded(FetchPeer p) {
    if (!isOn()) {
      return;
    }
    if (zone.equals(holders.zoneOf(p.id))) {
      local.add(p);
    } else {
      p.crossGate = this;
    }
  }

  void onPeerRemoved(FetchPeer p) {
    localChanged |= local.remove(p);
  }

  /**
   * Looks up the zone-mates and the stagger again; returns whether the gate may have opened for
   * some chunk (gated peers must search again).
   */
  boolean onTimer(ChunkId root, long nowNanos) {
    if (!isOn()) {
      return false;
    }
    boolean changed = localChanged;
    localChanged = false;
    long age = nowNanos - startNanos - SETTLE_NANOS;
    int s = age < 0 ? -1 : (int) Math.min(MAX_STAGGER_STEPS, age / CROSS_STAGGER_NANOS);
    changed |= s != steps;
    steps = s;
    List<NodeId> arrivals = holders.arrivals(root);
    if (arrivals.size() != arrivalsAtScan || nowNanos - scannedNanos >= MATES_REFRESH_NANOS) {
      arrivalsAtScan = arrivals.size();
      scannedNanos = nowNanos;
      List<NodeId> now = matesAmong(arrivals);
      if (!now.equals(mates)) {
        mates = now;
        epoch++;
        changed = true;
      }
    }
    return changed;
  }

  /** The live members of this zone among {@code arrivals}, in id order, at most the bound. */
  private List<NodeId> matesAmong(List<NodeId> arrivals) {
    TreeSet<NodeId> out = new TreeSet<>();
    for (NodeId id : arrivals) {
      if (!id.equals(self) && zone.equals(holders.zoneOf(id)) && holders.isUp(id)) {
        out.add(id);
      }
    }
    List<NodeId> sorted = new ArrayList<>(out);
    return sorted.size() > MAX_RANKED_MATES ? sorted.subList(0, MAX_RANKED_MATES) : sorted;
  }

  /** Whether a peer in another zone may be asked for {@code item} now. */
  boolean mayCross(WantedChunk item) {
    for (int i = 0; i < local.size(); i++) {
      FetchPeer p = local.get(i);
      if (!p.banned && p.holds(item)) {
        return false;
      }
    }
    return item.wanted.isMetadata() || rank(item) <= steps;
  }

  /** This node's place among its zone-mates for crossing for {@code item}: 0 crosses first. */
  private int rank(WantedChunk item) {
    if (item.crossEpoch != epoch) {
      item.crossEpoch = epoch;
      int leaf = item.wanted.leafIndex();
      long mine = hash(self, leaf);
      int r = 0;
      for (NodeId m : mates) {
        int c = Long.compareUnsigned(hash(m, leaf), mine);
        r += c < 0 || (c == 0 && m.compareTo(self) < 0) ? 1 : 0;
      }
      item.crossRank = r;
    }
    return item.crossRank;
  }

  /** A well-mixed 64-bit rank of {@code node} for data chunk {@code leaf}, the same everywhere. */
  static long hash(NodeId node, int leaf) {
    long x = node.high() * 0x9E3779B97F4A7C15L ^ node.low() ^ (leaf + 1L) * 0xC2B2AE3D27D4EB4FL;
    x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
    x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
    return x ^ (x >>> 31);
  }
}
