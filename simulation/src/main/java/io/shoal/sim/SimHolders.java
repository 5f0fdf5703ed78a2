package io.shoal.sim;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.Holders;
import io.shoal.node.core.PeerChoice;
import java.util.List;

/**
 * Who holds what: the converged directory when the scenario models one (it reports complete holders
 * only, so the session watches partial ones arrive), else the node's membership's (a simulated
 * node's {@link Holders}).
 */
final class SimHolders implements Holders {
  private final SimNode node;
  private final World world;

  SimHolders(SimNode node, World world) {
    this.node = node;
    this.world = world;
  }

  @Override
  public List<PeerChoice.Candidate> of(ChunkId root) {
    List<PeerChoice.Candidate> converged = world.convergedHolders(root);
    return converged != null ? converged : node.membership.directory().of(root);
  }

  @Override
  public String zoneOf(NodeId peer) {
    return node.membership != null ? node.membership.directory().zoneOf(peer) : world.zoneOf(peer);
  }

  @Override
  public boolean isUp(NodeId peer) {
    return node.membership != null ? node.membership.directory().isUp(peer) : world.isUp(peer);
  }

  @Override
  public List<NodeId> arrivals(ChunkId root) {
    List<NodeId> converged = world.partialArrivals(root);
    return converged != null ? converged : node.membership.directory().arrivals(root);
  }

  @Override
  public boolean reportsPartialHolders() {
    return node.membership != null;
  }
}
