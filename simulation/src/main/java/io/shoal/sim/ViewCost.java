package io.shoal.sim;

import io.shoal.gossip.views.ViewMessage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@code membership-views} run's messages cost, per message type: every message sent, failed
 * ones included, and its bytes as a frame would carry it. There is no wire codec for these messages
 * yet, so the sizes are an estimate from the fields: {@link MessageCost#HEADER_BYTES} per frame
 * (type, length, sender), {@link #PEER_BYTES} per peer a message names, 8 bytes per message id. Not
 * thread-safe.
 */
final class ViewCost {
  /** A peer as a message names it: a 16-byte node id, a 16-byte IPv6 address and a port. */
  static final int PEER_BYTES = 34;

  static final String[] TYPES = {
    "JOIN",
    "FORWARD_JOIN",
    "NEIGHBOR",
    "NEIGHBOR_REPLY",
    "DISCONNECT",
    "SHUFFLE",
    "SHUFFLE_REPLY",
    "GOSSIP",
    "IHAVE",
    "GRAFT",
    "PRUNE"
  };

  /** Types from this index on are Plumtree's (broadcast); the ones before, HyParView's. */
  static final int FIRST_BROADCAST_TYPE = 7;

  private final long[] messages = new long[TYPES.length];
  private final long[] bytes = new long[TYPES.length];

  void count(ViewMessage m) {
    int type = type(m);
    messages[type]++;
    bytes[type] += MessageCost.HEADER_BYTES + bodyBytes(m);
  }

  long messages(boolean broadcast) {
    return sum(messages, broadcast);
  }

  long bytes(boolean broadcast) {
    return sum(bytes, broadcast);
  }

  /** Messages of each type, in protocol order. */
  Map<String, Long> messagesByType() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < TYPES.length; i++) {
      out.put(TYPES[i], messages[i]);
    }
    return out;
  }

  private static long sum(long[] values, boolean broadcast) {
    long total = 0;
    for (int i = broadcast ? FIRST_BROADCAST_TYPE : 0;
        i < (broadcast ? TYPES.length : FIRST_BROADCAST_TYPE);
        i++) {
      total += values[i];
    }
    return total;
  }

  static int type(ViewMessage m) {
    if (m instanceof ViewMessage.Gossip) {
      return 7;
    } else if (m instanceof ViewMessage.IHave) {
      return 8;
    } else if (m instanceof ViewMessage.Graft) {
      return 9;
    } else if (m instanceof ViewMessage.Prune) {
      return 10;
    } else if (m instanceof ViewMessage.Join) {
      return 0;
    } else if (m instanceof ViewMessage.ForwardJoin) {
      return 1;
    } else if (m instanceof ViewMessage.Neighbor) {
      return 2;
    } else if (m instanceof ViewMessage.NeighborReply) {
      return 3;
    } else if (m instanceof ViewMessage.Disconnect) {
      return 4;
    } else if (m instanceof ViewMessage.Shuffle) {
      return 5;
    }
    return 6;
  }

  /** The estimated body of {@code m}, after the frame header. */
  static int bodyBytes(ViewMessage m) {
    if (m instanceof ViewMessage.Gossip g) {
      return 8 + 2 + 2 + g.payload().length; // id, round, length, payload
    } else if (m instanceof ViewMessage.IHave h) {
      return 2 + 8 * h.ids().length;
    } else if (m instanceof ViewMessage.Graft) {
      return 8;
    } else if (m instanceof ViewMessage.Join) {
      return 18; // the joiner's listening address
    } else if (m instanceof ViewMessage.ForwardJoin) {
      return PEER_BYTES + 1;
    } else if (m instanceof ViewMessage.Neighbor || m instanceof ViewMessage.NeighborReply) {
      return 1;
    } else if (m instanceof ViewMessage.Shuffle s) {
      return PEER_BYTES + 1 + 1 + PEER_BYTES * s.peers().size();
    } else if (m instanceof ViewMessage.ShuffleReply r) {
      return 1 + PEER_BYTES * r.peers().size();
    }
    return 0; // DISCONNECT, PRUNE
  }
}
