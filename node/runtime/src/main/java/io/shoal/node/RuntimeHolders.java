package io.shoal.node;

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
  private final Map<ChunkId, List<NodeId>> arrivals = new HashMap<>();
  private final Map<ChunkId, Set<NodeId>> seen = new HashMap<>();

  RuntimeHolders(SwarmDirectory directory) {
    this.directory = directory;
  }

  @Override
  public List<PeerChoice.Candidate> of(ChunkId root) {
    return directory.of(root);
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
