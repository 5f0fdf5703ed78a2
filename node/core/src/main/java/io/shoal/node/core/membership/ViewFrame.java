package io.shoal.node.core.membership;

import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.views.ViewMessage;
import io.shoal.gossip.views.ViewMessage.ForwardJoin;
import io.shoal.gossip.views.ViewMessage.Gossip;
import io.shoal.gossip.views.ViewMessage.Graft;
import io.shoal.gossip.views.ViewMessage.IHave;
import io.shoal.gossip.views.ViewMessage.Join;
import io.shoal.gossip.views.ViewMessage.Neighbor;
import io.shoal.gossip.views.ViewMessage.NeighborReply;
import io.shoal.gossip.views.ViewMessage.Prune;
import io.shoal.gossip.views.ViewMessage.Shuffle;
import io.shoal.gossip.views.ViewMessage.ShuffleReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link ViewMessage} as it travels between nodes. The core names peers by id only, but a
 * receiver must be able to dial the peers a message names, so the frame carries where each listens
 * ({@link #named}, in order). Those addresses are hints from the sender, not proof: a dial reaches
 * whoever listens there, and {@link ViewPeers} drops a hint the handshake contradicts.
 *
 * @param to the node the sender meant; any other receiver refuses the frame (the sender dialled an
 *     address that belongs to another node now)
 * @param addresses where each node {@link #named} by the message listens, in the same order
 */
public record ViewFrame(NodeId to, ViewMessage message, List<Endpoint> addresses) {
  public ViewFrame {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(message, "message");
    addresses = List.copyOf(addresses);
    int named = named(message).size();
    if (addresses.size() != named) {
      throw new IllegalArgumentException(
          "a " + label(message) + " names " + named + " nodes, not " + addresses.size());
    }
  }

  /** The nodes {@code m} names besides its sender, in wire order. */
  public static List<NodeId> named(ViewMessage m) {
    if (m instanceof ForwardJoin f) {
      return List.of(f.joiner());
    } else if (m instanceof Shuffle s) {
      List<NodeId> ids = new ArrayList<>(1 + s.peers().size());
      ids.add(s.origin());
      ids.addAll(s.peers());
      return ids;
    } else if (m instanceof ShuffleReply r) {
      return r.peers();
    }
    return List.of();
  }

  /** The message's type as metrics and logs name it: {@code join}, {@code shuffle_reply}... */
  public static String label(ViewMessage m) {
    if (m instanceof Join) {
      return "join";
    } else if (m instanceof ForwardJoin) {
      return "forward_join";
    } else if (m instanceof Neighbor) {
      return "neighbor";
    } else if (m instanceof NeighborReply) {
      return "neighbor_reply";
    } else if (m instanceof Shuffle) {
      return "shuffle";
    } else if (m instanceof ShuffleReply) {
      return "shuffle_reply";
    } else if (m instanceof Gossip) {
      return "gossip";
    } else if (m instanceof IHave) {
      return "ihave";
    } else if (m instanceof Graft) {
      return "graft";
    } else if (m instanceof Prune) {
      return "prune";
    }
    return "disconnect";
  }
}
