package io.shoal.sim;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.GossipMessage;
import io.shoal.gossip.GossipUpdate;
import io.shoal.gossip.OwnerEntry;
import io.shoal.node.core.ChunkBitmap;
import io.shoal.node.core.TransferMessage;
import java.util.List;

/**
 * What the nodes' control messages cost, gossip and transfer apart: every message a node sends
 * (lost ones included: the sender paid for them), and its bytes as estimated from the cores' own
 * size estimates ({@link GossipUpdate#estimatedBytes}, the budget the cores fill messages by) plus
 * fixed field sizes. Chunk bytes are not control messages: {@link Flows} counts them. Not
 * thread-safe.
 */
final class MessageCost {
  /** Per message: its type, length and the sender's id and address, as a frame carries them. */
  static final int HEADER_BYTES = 32;

  /** A digest entry: owner id, generation, version. */
  static final int DIGEST_ENTRY_BYTES = 32;

  /** One run of a have bitmap, as a varint of about this size. */
  static final int BITMAP_RUN_BYTES = 3;

  private long gossipMessages;
  private long gossipBytes;
  private long transferMessages;
  private long transferBytes;

  void gossip(GossipMessage m) {
    gossipMessages++;
    gossipBytes += HEADER_BYTES + bytes(m);
  }

  void transfer(TransferMessage m) {
    transferMessages++;
    transferBytes += HEADER_BYTES + bytes(m);
  }

  /** The totals, over {@code nodeSeconds} of node uptime. */
  SimResult.Traffic traffic(double nodeSeconds) {
    double per = nodeSeconds > 0 ? 1 / nodeSeconds : 0;
    return new SimResult.Traffic(
        gossipMessages,
        gossipBytes,
        transferMessages,
        transferBytes,
        nodeSeconds,
        gossipMessages * per,
        gossipBytes * per,
        transferMessages * per,
        transferBytes * per);
  }

  static int bytes(GossipMessage m) {
    if (m instanceof GossipMessage.Ping p) {
      return 8 + 16 + updates(p.updates());
    } else if (m instanceof GossipMessage.Ack a) {
      return 8 + 16 + updates(a.updates());
    } else if (m instanceof GossipMessage.PingReq r) {
      return 8 + 16 + 4 + r.targetAddress().host().length() + updates(r.updates());
    } else if (m instanceof GossipMessage.Nack) {
      return 8;
    } else if (m instanceof GossipMessage.Gossip g) {
      return updates(g.updates());
    }
    GossipMessage.Sync s = (GossipMessage.Sync) m;
    int bytes = 2 + updates(s.members()) + s.digest().size() * DIGEST_ENTRY_BYTES;
    for (OwnerEntry e : s.deltas()) {
      bytes += e.estimatedBytes();
    }
    return bytes;
  }

  static int bytes(TransferMessage m) {
    int root = ChunkId.DIGEST_BYTES;
    if (m instanceof TransferMessage.HaveQuery) {
      return root;
    } else if (m instanceof TransferMessage.HaveReply r) {
      return root + 1 + bitmap(r.have());
    } else if (m instanceof TransferMessage.HaveUpdate u) {
      return root + bitmap(u.added());
    } else if (m instanceof TransferMessage.ChunkRequest) {
      return 8 + root + 8;
    } else if (m instanceof TransferMessage.ChunkRefused) {
      return 8 + 1;
    }
    return 8; // Cancel
  }

  private static int updates(List<? extends GossipUpdate> updates) {
    int bytes = 2;
    for (GossipUpdate u : updates) {
      bytes += u.estimatedBytes();
    }
    return bytes;
  }

  private static int bitmap(ChunkBitmap b) {
    return 4 + (2 * b.presentRuns() + 1) * BITMAP_RUN_BYTES;
  }
}
