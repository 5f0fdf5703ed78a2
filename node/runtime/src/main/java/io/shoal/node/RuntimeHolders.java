package io.shoal.node;

import io.prometheus.metrics.core.metrics.Counter;
import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.Holders;
import io.shoal.node.core.PeerChoice;
import io.shoal.node.core.membership.SwarmDirectory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The transfer loop's view of the swarm directory, which the gossip loop writes. Holders and
 * liveness are read straight from it (those reads are thread-safe); the order in which partial
 * holders appeared is kept here, from what each read shows, since the directory's own list is the
 * gossip loop's alone. Transfer loop only.
 */
final class RuntimeHolders implements Holders {
  private final SwarmDirectory directory;
  private final String zone;
  private final Counter crossZoneBytes;
  private final Map<ChunkId, List<NodeId>> arrivals = new HashMap<>();
  private final Map<ChunkId, Set<NodeId>> seen = new HashMap<>();

  /**
   * @param zone this node's zone, empty for none
   * @param crossZoneBytes counts chunk bytes received from peers of other zones
   */
  RuntimeHolders(SwarmDirectory directory, String zone, Counter crossZoneBytes) {
    this.directory = directory;
    this.zone = zone;
    this.crossZoneBytes = crossZoneBytes;
  }

  /**
   * A chunk reply of {@code wireBytes} arrived from {@code peer}: counted if it crossed zones (a
   * peer that announces no zone counts as another zone). Any thread.
   */
  void onReceived(NodeId peer, long wireBytes) {
    if (!zone.isEmpty() && !zone.equals(directory.zoneOf(peer))) {
      crossZoneBytes.inc(wireBytes);
    }
  }

  @Override
  public List<PeerChoice.Candidate> of(ChunkId root) {
    return directory.of(root);
  }

  @Override
  public String zoneOf(NodeId peer) {
    return directory.zoneOf(peer);
  }

  @Override
  public boolean isUp(NodeId peer) {
    return directory.isUp(peer);
  }

  @Override
  public List<NodeId> arrivals(ChunkId root) {
    List<NodeId> order = arrivals.computeIfAbsent(root, k -> new ArrayList<>());
    Set<NodeId> known = seen.computeIfAbsent(root, k -> new HashSet<>());
    for (PeerChoice.Candidate c : directory.of(root)) {
      if (!c.complete() && known.add(c.id())) {
        order.add(c.id());
      }
    }
    return order;
  }

  /** No fetch of {@code root} runs any more. */
  void forget(ChunkId root) {
    arrivals.remove(root);
    seen.remove(root);
  }
}
