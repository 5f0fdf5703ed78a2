package io.shoal.node.net;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.views.ViewConfig;
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
import io.shoal.node.core.membership.ViewFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire form of a {@link ViewFrame} (protocol version 6, registration id {@link
 * KryoRegistry#VIEW_FRAME}): the node it is meant for, a type byte, then the message's fields, each
 * node it names followed by its address. Every count, walk length and payload is checked against
 * its {@link ViewConfig} bound before anything is allocated; the encoder writes what it is given
 * (the core never makes an oversized message, and hostile-peer tests need to).
 *
 * <pre>
 * to: node id (2 x i64) | type u8 | fields:
 *   1 JOIN           -
 *   2 FORWARD_JOIN   joiner id, joiner address, hops left (varint 0..16)
 *   3 NEIGHBOR       high (bool)
 *   4 NEIGHBOR_REPLY accepted (bool)
 *   5 DISCONNECT     -
 *   6 SHUFFLE        origin id, origin address, count (varint 0..32), (id, address) x count,
 *                    hops left (varint 0..16)
 *   7 SHUFFLE_REPLY  count (varint 0..32), (id, address) x count
 *   8 GOSSIP         message id i64, round (varint >= 0), length (varint 0..1024), payload
 *   9 IHAVE          count (varint 0..64), message id i64 x count
 *  10 GRAFT          message id i64
 *  11 PRUNE          -
 * address: host (varint length, UTF-8, at most 253 characters) | port (varint 1..65535)
 * </pre>
 *
 * APPEND-ONLY like the registration ids: a type byte is never renumbered or reused.
 */
final class ViewFrameSerializer extends Serializer<ViewFrame> {
  static final int JOIN = 1;
  static final int FORWARD_JOIN = 2;
  static final int NEIGHBOR = 3;
  static final int NEIGHBOR_REPLY = 4;
  static final int DISCONNECT = 5;
  static final int SHUFFLE = 6;
  static final int SHUFFLE_REPLY = 7;
  static final int GOSSIP = 8;
  static final int IHAVE = 9;
  static final int GRAFT = 10;
  static final int PRUNE = 11;

  @Override
  public void write(Kryo kryo, Output out, ViewFrame f) {
    Wire.writeNodeId(out, f.to());
    ViewMessage m = f.message();
    List<Endpoint> at = f.addresses();
    if (m instanceof ForwardJoin j) {
      out.writeByte(FORWARD_JOIN);
      writePeer(out, j.joiner(), at.get(0));
      out.writeVarInt(j.hopsLeft(), true);
    } else if (m instanceof Shuffle s) {
      out.writeByte(SHUFFLE);
      writePeer(out, s.origin(), at.get(0));
      writePeers(out, s.peers(), at.subList(1, at.size()));
      out.writeVarInt(s.hopsLeft(), true);
    } else if (m instanceof ShuffleReply r) {
      out.writeByte(SHUFFLE_REPLY);
      writePeers(out, r.peers(), at);
    } else if (m instanceof Gossip g) {
      out.writeByte(GOSSIP);
      out.writeLong(g.id());
      out.writeVarInt(g.round(), true);
      out.writeVarInt(g.payload().length, true);
      out.writeBytes(g.payload());
    } else if (m instanceof IHave h) {
      out.writeByte(IHAVE);
      out.writeVarInt(h.ids().length, true);
      for (long id : h.ids()) {
        out.writeLong(id);
      }
    } else if (m instanceof Graft g) {
      out.writeByte(GRAFT);
      out.writeLong(g.id());
    } else if (m instanceof Neighbor n) {
      out.writeByte(NEIGHBOR);
      out.writeBoolean(n.high());
    } else if (m instanceof NeighborReply r) {
      out.writeByte(NEIGHBOR_REPLY);
      out.writeBoolean(r.accepted());
    } else {
      out.writeByte(m instanceof Join ? JOIN : m instanceof Prune ? PRUNE : DISCONNECT);
    }
  }

  @Override
  public ViewFrame read(Kryo kryo, Input in, Class<? extends ViewFrame> type) {
    NodeId to = Wire.readNodeId(in);
    int kind = in.readByte();
    List<Endpoint> at = new ArrayList<>();
    ViewMessage m;
    switch (kind) {
      case JOIN -> m = ViewMessage.JOIN;
      case FORWARD_JOIN -> m = new ForwardJoin(readPeer(in, at), readHops(in));
      case NEIGHBOR -> m = in.readBoolean() ? ViewMessage.NEIGHBOR_HIGH : ViewMessage.NEIGHBOR_LOW;
      case NEIGHBOR_REPLY -> m = in.readBoolean() ? ViewMessage.ACCEPTED : ViewMessage.REFUSED;
      case DISCONNECT -> m = ViewMessage.DISCONNECT;
      case SHUFFLE -> {
        NodeId origin = readPeer(in, at);
        List<NodeId> peers = readPeers(in, at, "shuffle peer count");
        m = new Shuffle(origin, peers, readHops(in));
      }
      case SHUFFLE_REPLY -> m = new ShuffleReply(readPeers(in, at, "shuffle reply peer count"));
      case GOSSIP -> m = readGossip(in);
      case IHAVE -> {
        long[] ids = new long[readBounded(in, ViewConfig.MAX_IHAVE_IDS, "ihave id count")];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = in.readLong();
        }
        m = new IHave(ids);
      }
      case GRAFT -> m = new Graft(in.readLong());
      case PRUNE -> m = ViewMessage.PRUNE;
      default -> throw new MalformedMessageException("unknown view message type " + kind);
    }
    return new ViewFrame(to, m, at);
  }

  private static Gossip readGossip(Input in) {
    long id = in.readLong();
    int round = in.readVarInt(true);
    if (round < 0) {
      throw new MalformedMessageException("gossip round = " + round + " is negative");
    }
    int n = Wire.readCount(in, ViewConfig.MAX_PAYLOAD_BYTES, "gossip payload length");
    return new Gossip(id, round, in.readBytes(n));
  }

  private static void writePeer(Output out, NodeId id, Endpoint at) {
    Wire.writeNodeId(out, id);
    Wire.writeEndpoint(out, at);
  }

  private static void writePeers(Output out, List<NodeId> ids, List<Endpoint> at) {
    out.writeVarInt(ids.size(), true);
    for (int i = 0; i < ids.size(); i++) {
      writePeer(out, ids.get(i), at.get(i));
    }
  }

  private static NodeId readPeer(Input in, List<Endpoint> at) {
    NodeId id = Wire.readNodeId(in);
    at.add(Wire.readEndpoint(in));
    return id;
  }

  private static List<NodeId> readPeers(Input in, List<Endpoint> at, String field) {
    int n = readBounded(in, ViewConfig.MAX_SHUFFLE_PEERS, field);
    List<NodeId> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(readPeer(in, at));
    }
    return ids;
  }

  private static int readHops(Input in) {
    return readBounded(in, ViewConfig.MAX_WALK_HOPS, "hops left");
  }

  /** A varint refused when negative or above {@code max}, before anything is allocated. */
  private static int readBounded(Input in, int max, String field) {
    int n = in.readVarInt(true);
    if (n < 0 || n > max) {
      throw new MalformedMessageException(field + " = " + n + " is out of range (0.." + max + ")");
    }
    return n;
  }
}
