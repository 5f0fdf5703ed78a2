package io.shoal.gossip.views;

import io.shoal.gossip.NodeId;
import java.util.List;
import java.util.Objects;

/**
 * What {@link ViewCore}s say to each other. The sender is not part of a message: the driver knows
 * it from the authenticated link, as for {@link io.shoal.gossip.GossipMessage}. Messages without
 * fields are shared constants. There is no wire codec for these yet.
 */
public sealed interface ViewMessage {
  Join JOIN = new Join();
  Disconnect DISCONNECT = new Disconnect();
  Prune PRUNE = new Prune();
  Neighbor NEIGHBOR_HIGH = new Neighbor(true);
  Neighbor NEIGHBOR_LOW = new Neighbor(false);
  NeighborReply ACCEPTED = new NeighborReply(true);
  NeighborReply REFUSED = new NeighborReply(false);

  /** HyParView: the sender joins through this node. */
  record Join() implements ViewMessage {}

  /** HyParView: {@code joiner} joined; link it if the walk ends here ({@code hopsLeft} 0). */
  record ForwardJoin(NodeId joiner, int hopsLeft) implements ViewMessage {
    public ForwardJoin {
      Objects.requireNonNull(joiner, "joiner");
    }
  }

  /** HyParView: the sender asks for a link; a high-priority request is never refused. */
  record Neighbor(boolean high) implements ViewMessage {}

  /** HyParView: the answer to a {@link Neighbor}. */
  record NeighborReply(boolean accepted) implements ViewMessage {}

  /**
   * HyParView: the sender dropped its link to this node (it stays in each other's passive view).
   */
  record Disconnect() implements ViewMessage {}

  /** HyParView: a random walk carrying a sample of {@code origin}'s views. */
  record Shuffle(NodeId origin, List<NodeId> peers, int hopsLeft) implements ViewMessage {
    public Shuffle {
      Objects.requireNonNull(origin, "origin");
      peers = List.copyOf(peers);
    }
  }

  /** HyParView: the walk's end answers with a sample of its passive view. */
  record ShuffleReply(List<NodeId> peers) implements ViewMessage {
    public ShuffleReply {
      peers = List.copyOf(peers);
    }
  }

  /**
   * Plumtree: a broadcast message, pushed eagerly. {@code round} counts hops from its origin. The
   * payload array is shared, never modified.
   */
  @SuppressWarnings("ArrayRecordComponent") // shared, never modified; no equality is used
  record Gossip(long id, int round, byte[] payload) implements ViewMessage {
    public Gossip {
      Objects.requireNonNull(payload, "payload");
    }
  }

  /** Plumtree: the sender has these messages (a lazy push, batched per link). */
  @SuppressWarnings("ArrayRecordComponent") // built once per batch, never modified
  record IHave(long[] ids) implements ViewMessage {
    public IHave {
      Objects.requireNonNull(ids, "ids");
    }
  }

  /** Plumtree: send message {@code id}, and push eagerly to the sender from now on. */
  record Graft(long id) implements ViewMessage {}

  /** Plumtree: the sender got a duplicate from this node; push lazily to it from now on. */
  record Prune() implements ViewMessage {}
}
