package io.shoal.node.net;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.GossipConfig;
import io.shoal.gossip.GossipMessage.Ack;
import io.shoal.gossip.GossipMessage.Gossip;
import io.shoal.gossip.GossipMessage.Nack;
import io.shoal.gossip.GossipMessage.Ping;
import io.shoal.gossip.GossipMessage.PingReq;
import io.shoal.gossip.GossipMessage.Sync;
import io.shoal.node.core.ChunkBitmap;
import io.shoal.node.core.TransferMessage.Cancel;
import io.shoal.node.core.TransferMessage.ChunkRefused;
import io.shoal.node.core.TransferMessage.ChunkRequest;
import io.shoal.node.core.TransferMessage.DeltaRequest;
import io.shoal.node.core.TransferMessage.HaveQuery;
import io.shoal.node.core.TransferMessage.HaveReply;
import io.shoal.node.core.TransferMessage.HaveUpdate;
import io.shoal.node.core.membership.CatalogSyncPage;
import io.shoal.node.core.membership.CatalogSyncRequest;
import io.shoal.node.core.membership.ViewFrame;
import io.shoal.node.net.Handshake.Hello;
import io.shoal.node.net.Handshake.Refused;
import java.util.ArrayList;
import java.util.List;

/**
 * Kryo registration of every control message, with explicit, bounded serializers.
 *
 * <p>APPEND-ONLY: the registration ids below are part of the wire protocol. Never renumber or reuse
 * one; a new message takes a new id, and a removed message's id stays retired. Registration is
 * required, so an unregistered class can neither be sent nor received.
 */
public final class KryoRegistry {
  // Handshake. HELLO's layout is that of version 2 (version 1 carried a nonce after the
  // address); its two leading version fields keep their place in every version.
  static final int HELLO = 10;
  // 11: AuthProof (version 1, the cluster-key HMAC), retired in version 2. Never reuse 11.
  static final int REFUSED = 12;
  // Gossip (protocol version 1)
  static final int PING = 20;
  static final int ACK = 21;
  static final int PING_REQ = 22;
  static final int NACK = 23;
  static final int GOSSIP = 24;
  static final int SYNC = 25;
  // Transfer (protocol version 1)
  static final int HAVE_QUERY = 30;
  static final int HAVE_REPLY = 31;
  static final int HAVE_UPDATE = 32;
  static final int CHUNK_REQUEST = 33;
  static final int CHUNK_REFUSED = 34;
  static final int CANCEL = 35;
  // Transfer (protocol version 4)
  static final int DELTA_REQUEST = 36;
  // Partial views (protocol version 6): one frame for every HyParView and Plumtree message, a type
  // byte inside (ViewFrameSerializer, append-only too).
  static final int VIEW_FRAME = 40;
  // Catalogs of views mode (protocol version 6): a neighbour's table, page by page.
  static final int CATALOG_SYNC_REQUEST = 41;
  static final int CATALOG_SYNC_PAGE = 42;
  // Change logs (protocol version 7): a follower asks the writer for the records after its replica.
  static final int LOG_TAIL_REQUEST = 43;
  static final int LOG_TAIL_REPLY = 44;

  private static final int MAX_POOLED_KRYOS = 64;
  private static final int MAX_MESSAGE_LIST = 1 << 16;

  private static final Pool<Kryo> POOL =
      new Pool<>(true, false, MAX_POOLED_KRYOS) {
        @Override
        protected Kryo create() {
          return newKryo();
        }
      };

  private static final java.util.Set<Integer> MESSAGE_IDS =
      java.util.Set.of(
          HELLO,
          REFUSED,
          PING,
          ACK,
          PING_REQ,
          NACK,
          GOSSIP,
          SYNC,
          HAVE_QUERY,
          HAVE_REPLY,
          HAVE_UPDATE,
          CHUNK_REQUEST,
          CHUNK_REFUSED,
          CANCEL,
          DELTA_REQUEST,
          VIEW_FRAME,
          CATALOG_SYNC_REQUEST,
          CATALOG_SYNC_PAGE,
          LOG_TAIL_REQUEST,
          LOG_TAIL_REPLY);

  private KryoRegistry() {}

  /** Whether {@code id} is one of shoal's messages (not one of Kryo's built-in types). */
  static boolean isMessageId(int id) {
    return MESSAGE_IDS.contains(id);
  }

  /** A Kryo from the pool; give it back with {@link #release}. */
  static Kryo obtain() {
    return POOL.obtain();
  }

  static void release(Kryo kryo) {
    POOL.free(kryo);
  }

  static Kryo newKryo() {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(true);
    kryo.setReferences(false);
    kryo.register(Hello.class, new HelloSerializer(), HELLO);
    kryo.register(Refused.class, new RefusedSerializer(), REFUSED);
    kryo.register(Ping.class, new PingSerializer(), PING);
    kryo.register(Ack.class, new AckSerializer(), ACK);
    kryo.register(PingReq.class, new PingReqSerializer(), PING_REQ);
    kryo.register(Nack.class, new NackSerializer(), NACK);
    kryo.register(Gossip.class, new GossipSerializer(), GOSSIP);
    kryo.register(Sync.class, new SyncSerializer(), SYNC);
    kryo.register(HaveQuery.class, new HaveQuerySerializer(), HAVE_QUERY);
    kryo.register(HaveReply.class, new HaveReplySerializer(), HAVE_REPLY);
    kryo.register(HaveUpdate.class, new HaveUpdateSerializer(), HAVE_UPDATE);
    kryo.register(ChunkRequest.class, new ChunkRequestSerializer(), CHUNK_REQUEST);
    kryo.register(ChunkRefused.class, new ChunkRefusedSerializer(), CHUNK_REFUSED);
    kryo.register(Cancel.class, new CancelSerializer(), CANCEL);
    kryo.register(DeltaRequest.class, new DeltaRequestSerializer(), DELTA_REQUEST);
    kryo.register(ViewFrame.class, new ViewFrameSerializer(), VIEW_FRAME);
    kryo.register(
        CatalogSyncRequest.class,
        new CatalogSyncSerializers.RequestSerializer(),
        CATALOG_SYNC_REQUEST);
    kryo.register(
        CatalogSyncPage.class, new CatalogSyncSerializers.PageSerializer(), CATALOG_SYNC_PAGE);
    kryo.register(
        LogTail.Request.class, new LogTailSerializers.RequestSerializer(), LOG_TAIL_REQUEST);
    kryo.register(LogTail.Reply.class, new LogTailSerializers.ReplySerializer(), LOG_TAIL_REPLY);
    return kryo;
  }

  private static final class HelloSerializer extends Serializer<Hello> {
    @Override
    public void write(Kryo kryo, Output out, Hello h) {
      out.writeVarInt(h.minVersion(), true);
      out.writeVarInt(h.maxVersion(), true);
      Wire.writeString(out, h.clusterId());
      Wire.writeNodeId(out, h.nodeId());
      Wire.writeEndpoint(out, h.listenAddress());
    }

    @Override
    public Hello read(Kryo kryo, Input in, Class<? extends Hello> type) {
      int min = in.readVarInt(true);
      int max = in.readVarInt(true);
      if (max < WireProtocol.MIN_VERSION) {
        // The rest of an older Hello has another layout: name the versions instead of its bytes.
        throw new MalformedMessageException(
            "peer speaks protocol versions "
                + min
                + ".."
                + max
                + " only; this node speaks "
                + WireProtocol.MIN_VERSION
                + ".."
                + WireProtocol.MAX_VERSION);
      }
      String cluster = Wire.readString(in, WireProtocol.MAX_CLUSTER_ID_BYTES, "cluster id");
      return new Hello(min, max, cluster, Wire.readNodeId(in), Wire.readEndpoint(in));
    }
  }

  private static final class RefusedSerializer extends Serializer<Refused> {
    @Override
    public void write(Kryo kryo, Output out, Refused r) {
      Wire.writeString(out, r.reason());
    }

    @Override
    public Refused read(Kryo kryo, Input in, Class<? extends Refused> type) {
      return new Refused(Wire.readString(in, 1024, "reason"));
    }
  }

  private static final class PingSerializer extends Serializer<Ping> {
    @Override
    public void write(Kryo kryo, Output out, Ping p) {
      out.writeVarLong(p.seq(), true);
      Wire.writeNodeId(out, p.target());
      Wire.writeUpdates(out, p.updates());
    }

    @Override
    public Ping read(Kryo kryo, Input in, Class<? extends Ping> type) {
      return new Ping(
          in.readVarLong(true),
          Wire.readNodeId(in),
          Wire.readUpdates(in, GossipConfig.MAX_PIGGYBACK_UPDATES));
    }
  }

  private static final class AckSerializer extends Serializer<Ack> {
    @Override
    public void write(Kryo kryo, Output out, Ack a) {
      out.writeVarLong(a.seq(), true);
      Wire.writeNodeId(out, a.target());
      Wire.writeUpdates(out, a.updates());
    }

    @Override
    public Ack read(Kryo kryo, Input in, Class<? extends Ack> type) {
      return new Ack(
          in.readVarLong(true),
          Wire.readNodeId(in),
          Wire.readUpdates(in, GossipConfig.MAX_PIGGYBACK_UPDATES));
    }
  }

  private static final class PingReqSerializer extends Serializer<PingReq> {
    @Override
    public void write(Kryo kryo, Output out, PingReq r) {
      out.writeVarLong(r.seq(), true);
      Wire.writeNodeId(out, r.target());
      Wire.writeEndpoint(out, r.targetAddress());
      Wire.writeUpdates(out, r.updates());
    }

    @Override
    public PingReq read(Kryo kryo, Input in, Class<? extends PingReq> type) {
      return new PingReq(
          in.readVarLong(true),
          Wire.readNodeId(in),
          Wire.readEndpoint(in),
          Wire.readUpdates(in, GossipConfig.MAX_PIGGYBACK_UPDATES));
    }
  }

  private static final class NackSerializer extends Serializer<Nack> {
    @Override
    public void write(Kryo kryo, Output out, Nack n) {
      out.writeVarLong(n.seq(), true);
    }

    @Override
    public Nack read(Kryo kryo, Input in, Class<? extends Nack> type) {
      return new Nack(in.readVarLong(true));
    }
  }

  private static final class GossipSerializer extends Serializer<Gossip> {
    @Override
    public void write(Kryo kryo, Output out, Gossip g) {
      Wire.writeUpdates(out, g.updates());
    }

    @Override
    public Gossip read(Kryo kryo, Input in, Class<? extends Gossip> type) {
      return new Gossip(Wire.readUpdates(in, GossipConfig.MAX_PIGGYBACK_UPDATES));
    }
  }

  private static final class SyncSerializer extends Serializer<Sync> {
    @Override
    public void write(Kryo kryo, Output out, Sync s) {
      out.writeByte(
          switch (s.phase()) {
            case REQUEST -> 1;
            case REPLY -> 2;
            case FINAL -> 3;
          });
      Wire.writeMembers(out, s.members());
      Wire.writeDigests(out, s.digest());
      out.writeBoolean(s.digestComplete());
      Wire.writeDeltas(out, s.deltas());
    }

    @Override
    public Sync read(Kryo kryo, Input in, Class<? extends Sync> type) {
      int code = in.readByte();
      Sync.Phase phase =
          switch (code) {
            case 1 -> Sync.Phase.REQUEST;
            case 2 -> Sync.Phase.REPLY;
            case 3 -> Sync.Phase.FINAL;
            default -> throw new MalformedMessageException("unknown sync phase " + code);
          };
      return new Sync(
          phase,
          Wire.readMembers(in, GossipConfig.MAX_SYNC_MEMBERS),
          Wire.readDigests(in, GossipConfig.MAX_DIGEST_ENTRIES),
          in.readBoolean(),
          Wire.readDeltas(in, MAX_MESSAGE_LIST));
    }
  }

  static void writeBitmap(Output out, ChunkBitmap b) {
    out.writeVarInt(b.length(), true);
    int[] runs = b.runs();
    out.writeVarInt(runs.length, true);
    for (int r : runs) {
      out.writeVarInt(r, true);
    }
  }

  /**
   * A bitmap: its length, bounded by {@link ChunkBitmap#MAX_BITS}, then its runs, each at least one
   * byte on the wire, so the run count is bounded by the frame's bytes and so is the memory the
   * decoded bitmap holds (it keeps runs, never a bit per index, whatever length it claims).
   */
  static ChunkBitmap readBitmap(Input in) {
    int length = in.readVarInt(true);
    if (length < 0 || length > ChunkBitmap.MAX_BITS) {
      throw new MalformedMessageException("bitmap length " + length + " out of range");
    }
    int n = Wire.readCount(in, ChunkBitmap.MAX_BITS, "bitmap run count");
    int[] runs = new int[n];
    for (int i = 0; i < n; i++) {
      runs[i] = in.readVarInt(true);
    }
    try {
      return ChunkBitmap.fromRuns(length, runs);
    } catch (IllegalArgumentException e) {
      throw new MalformedMessageException(e.getMessage());
    }
  }

  private static final class HaveQuerySerializer extends Serializer<HaveQuery> {
    @Override
    public void write(Kryo kryo, Output out, HaveQuery q) {
      Wire.writeChunkId(out, q.root());
    }

    @Override
    public HaveQuery read(Kryo kryo, Input in, Class<? extends HaveQuery> type) {
      return new HaveQuery(Wire.readChunkId(in));
    }
  }

  private static final class HaveReplySerializer extends Serializer<HaveReply> {
    @Override
    public void write(Kryo kryo, Output out, HaveReply r) {
      Wire.writeChunkId(out, r.root());
      out.writeBoolean(r.all());
      writeBitmap(out, r.have());
    }

    @Override
    public HaveReply read(Kryo kryo, Input in, Class<? extends HaveReply> type) {
      return new HaveReply(Wire.readChunkId(in), in.readBoolean(), readBitmap(in));
    }
  }

  private static final class HaveUpdateSerializer extends Serializer<HaveUpdate> {
    @Override
    public void write(Kryo kryo, Output out, HaveUpdate u) {
      Wire.writeChunkId(out, u.root());
      writeBitmap(out, u.added());
    }

    @Override
    public HaveUpdate read(Kryo kryo, Input in, Class<? extends HaveUpdate> type) {
      return new HaveUpdate(Wire.readChunkId(in), readBitmap(in));
    }
  }

  private static final class ChunkRequestSerializer extends Serializer<ChunkRequest> {
    @Override
    public void write(Kryo kryo, Output out, ChunkRequest r) {
      out.writeVarLong(r.requestId(), true);
      Wire.writeChunkId(out, r.id());
      out.writeVarLong(Math.max(0, r.linkBytesPerSecond()), true);
    }

    @Override
    public ChunkRequest read(Kryo kryo, Input in, Class<? extends ChunkRequest> type) {
      return new ChunkRequest(
          in.readVarLong(true), Wire.readChunkId(in), Wire.readNonNegativeLong(in, "link rate"));
    }
  }

  /**
   * A delta request: request id, chunk id, the count of bases (1 to {@link DeltaRequest#MAX_BASES})
   * and their ids, then the requester's link rate.
   */
  private static final class DeltaRequestSerializer extends Serializer<DeltaRequest> {
    @Override
    public void write(Kryo kryo, Output out, DeltaRequest r) {
      out.writeVarLong(r.requestId(), true);
      Wire.writeChunkId(out, r.id());
      out.writeVarInt(r.bases().size(), true);
      for (ChunkId base : r.bases()) {
        Wire.writeChunkId(out, base);
      }
      out.writeVarLong(Math.max(0, r.linkBytesPerSecond()), true);
    }

    @Override
    public DeltaRequest read(Kryo kryo, Input in, Class<? extends DeltaRequest> type) {
      long requestId = in.readVarLong(true);
      ChunkId id = Wire.readChunkId(in);
      int n = Wire.readCount(in, DeltaRequest.MAX_BASES, "delta base count");
      if (n == 0) {
        throw new MalformedMessageException("delta request for " + id + " names no base");
      }
      List<ChunkId> bases = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        bases.add(Wire.readChunkId(in));
      }
      return new DeltaRequest(requestId, id, bases, Wire.readNonNegativeLong(in, "link rate"));
    }
  }

  private static final class ChunkRefusedSerializer extends Serializer<ChunkRefused> {
    @Override
    public void write(Kryo kryo, Output out, ChunkRefused r) {
      out.writeVarLong(r.requestId(), true);
      out.writeByte(r.reason() == ChunkRefused.Reason.NOT_FOUND ? 1 : 2);
    }

    @Override
    public ChunkRefused read(Kryo kryo, Input in, Class<? extends ChunkRefused> type) {
      long id = in.readVarLong(true);
      int code = in.readByte();
      ChunkRefused.Reason reason =
          switch (code) {
            case 1 -> ChunkRefused.Reason.NOT_FOUND;
            case 2 -> ChunkRefused.Reason.BUSY;
            default -> throw new MalformedMessageException("unknown refusal reason " + code);
          };
      return new ChunkRefused(id, reason);
    }
  }

  private static final class CancelSerializer extends Serializer<Cancel> {
    @Override
    public void write(Kryo kryo, Output out, Cancel c) {
      out.writeVarLong(c.requestId(), true);
    }

    @Override
    public Cancel read(Kryo kryo, Input in, Class<? extends Cancel> type) {
      return new Cancel(in.readVarLong(true));
    }
  }
}
