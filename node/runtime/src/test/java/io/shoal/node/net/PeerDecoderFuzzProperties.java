package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.gossip.CatalogDelta;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Credential;
import io.shoal.gossip.CredentialDelta;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipMessage;
import io.shoal.gossip.GossipUpdate;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.MemberState;
import io.shoal.gossip.MemberUpdate;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.OwnerDigest;
import io.shoal.gossip.Pin;
import io.shoal.gossip.Signature;
import io.shoal.node.core.ChunkBitmap;
import io.shoal.node.core.TransferMessage;
import io.shoal.testing.FuzzTally;
import io.shoal.testing.Mutations;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Every decoder of a peer's bytes, fed mutants of valid encodings: each control message (handshake,
 * gossip, and the seven transfer messages) through {@link ControlCodec}, and whole frames (control
 * and chunk frames) through the pipeline's {@link FrameDecoder} and {@link
 * FrameCodec.MessageDecoder}. The outcome is a decoded value or the one refusal (a {@link
 * MalformedMessageException}, or a {@link TooLongFrameException} for a length past the bound),
 * never another exception, and a decode allocates at most {@link #ALLOCATION_BOUND_BYTES} plus a
 * small multiple of its input. {@code -Dshoal.fuzz.mutants=N} sets the mutants per valid encoding
 * ({@code bench/fuzz.sh} runs many more than CI).
 */
class PeerDecoderFuzzProperties {
  /**
   * Most bytes one decode may allocate beyond {@link #ALLOCATION_PER_INPUT_BYTE} per input byte.
   */
  static final long ALLOCATION_BOUND_BYTES = 4L << 20;

  static final int ALLOCATION_PER_INPUT_BYTE = 16;

  private static final FuzzTally TALLY = new FuzzTally();
  private static final NodeMetrics METRICS = new NodeMetrics();
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @AfterContainer
  static void printTally() {
    TALLY.summary().forEach(System.out::println);
  }

  // ------------------------------------------------------------ valid messages, generated

  static NodeId nodeId(SplittableRandom r) {
    return new NodeId(r.nextLong(), r.nextLong());
  }

  static ChunkId chunkId(SplittableRandom r) {
    return pick(r, HashAlgorithm.values())
        .hash(new byte[] {(byte) r.nextInt(), (byte) r.nextInt()});
  }

  static Endpoint endpoint(SplittableRandom r) {
    return new Endpoint("10.0." + r.nextInt(256) + "." + r.nextInt(256), 1 + r.nextInt(65535));
  }

  /** No claim, a pin or an unpin, a third each. */
  static Pin pin(SplittableRandom r) {
    return switch (r.nextInt(3)) {
      case 0 -> null;
      case 1 -> new Pin(r.nextLong(0, 1L << 42), nodeId(r), 0, null, signature(r));
      default ->
          new Pin(
              r.nextLong(0, 1L << 42), nodeId(r), r.nextLong(1, 1000), chunkId(r), signature(r));
    };
  }

  static Signature signature(SplittableRandom r) {
    byte[] b = new byte[1 + r.nextInt(72)];
    r.nextBytes(b);
    return Signature.of(b);
  }

  static <T> T pick(SplittableRandom r, T[] choices) {
    return choices[r.nextInt(choices.length)];
  }

  static GossipUpdate update(SplittableRandom r) {
    int kind = r.nextInt(3);
    if (kind == 0) {
      return new MemberUpdate(
          nodeId(r),
          endpoint(r),
          r.nextLong(0, Long.MAX_VALUE),
          pick(r, MemberState.values()),
          nodeId(r),
          signature(r));
    }
    if (kind == 1) {
      List<HeldVersion> versions = new ArrayList<>();
      long version = 0;
      int n = r.nextInt(4);
      for (int i = 0; i < n; i++) {
        version += 1 + r.nextInt(1000);
        versions.add(
            new HeldVersion(
                version,
                chunkId(r),
                r.nextBoolean(),
                r.nextLong(0, 1L << 40),
                nodeId(r),
                signature(r)));
      }
      return new CatalogDelta(
          nodeId(r),
          r.nextLong(0, 100),
          r.nextLong(1, 1000),
          "name-" + r.nextInt(100),
          new CatalogValue(versions, pin(r)),
          signature(r));
    }
    byte[] credential = new byte[1 + r.nextInt(400)];
    r.nextBytes(credential);
    return new CredentialDelta(
        nodeId(r),
        r.nextLong(0, 100),
        r.nextLong(1, 1000),
        nodeId(r),
        Credential.of(credential),
        signature(r));
  }

  static List<GossipUpdate> updates(SplittableRandom r) {
    List<GossipUpdate> out = new ArrayList<>();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      out.add(update(r));
    }
    return out;
  }

  static ChunkBitmap bitmap(SplittableRandom r) {
    int length = r.nextInt(2000);
    BitSet bits = new BitSet();
    for (int i = 0; i < length; i++) {
      if (r.nextInt(4) == 0) {
        bits.set(i);
      }
    }
    return ChunkBitmap.of(bits, length);
  }

  /** One valid message of kind {@code kind} (0 to 16: every registered message). */
  static Object message(int kind, SplittableRandom r) {
    return switch (kind) {
      case 0 ->
          new Handshake.Hello(
              WireProtocol.MIN_VERSION,
              WireProtocol.MAX_VERSION,
              "cluster-" + r.nextInt(9),
              nodeId(r),
              endpoint(r));
      case 1 -> new Handshake.Refused("refused " + r.nextInt());
      case 2 -> new GossipMessage.Ping(r.nextLong(0, Long.MAX_VALUE), nodeId(r), updates(r));
      case 3 -> new GossipMessage.Ack(r.nextLong(0, Long.MAX_VALUE), nodeId(r), updates(r));
      case 4 ->
          new GossipMessage.PingReq(
              r.nextLong(0, Long.MAX_VALUE), nodeId(r), endpoint(r), updates(r));
      case 5 -> new GossipMessage.Nack(r.nextLong(0, Long.MAX_VALUE));
      case 6 -> new GossipMessage.Gossip(updates(r));
      case 7 -> sync(r);
      case 8 -> new TransferMessage.HaveQuery(chunkId(r));
      case 9 -> new TransferMessage.HaveReply(chunkId(r), r.nextBoolean(), bitmap(r));
      case 10 -> new TransferMessage.HaveUpdate(chunkId(r), bitmap(r));
      case 11 ->
          new TransferMessage.ChunkRequest(
              r.nextLong(1, Long.MAX_VALUE), chunkId(r), r.nextLong(0, 1L << 40));
      case 12 ->
          new TransferMessage.ChunkRefused(
              r.nextLong(1, Long.MAX_VALUE),
              r.nextBoolean()
                  ? TransferMessage.ChunkRefused.Reason.NOT_FOUND
                  : TransferMessage.ChunkRefused.Reason.BUSY);
      case 13 -> new TransferMessage.Cancel(r.nextLong(1, Long.MAX_VALUE));
      case 15 -> new LogTail.Request("log-" + r.nextInt(99), r.nextLong(0, Long.MAX_VALUE), 5000);
      case 16 -> {
        List<byte[]> records = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          byte[] b = new byte[r.nextInt(200)];
          r.nextBytes(b);
          records.add(b);
        }
        yield new LogTail.Reply(
            "log-" + r.nextInt(99), r.nextLong(0, Long.MAX_VALUE), LogTail.Status.RECORDS, records);
      }
      default -> {
        List<ChunkId> bases = new ArrayList<>();
        for (int i = 1 + r.nextInt(TransferMessage.DeltaRequest.MAX_BASES); i > 0; i--) {
          bases.add(chunkId(r));
        }
        yield new TransferMessage.DeltaRequest(
            r.nextLong(1, Long.MAX_VALUE), chunkId(r), bases, r.nextLong(0, 1L << 40));
      }
    };
  }

  static final int MESSAGE_KINDS = 17;

  private static GossipMessage.Sync sync(SplittableRandom r) {
    List<MemberUpdate> members = new ArrayList<>();
    List<OwnerDigest> digests = new ArrayList<>();
    for (int i = r.nextInt(3); i > 0; i--) {
      members.add(
          new MemberUpdate(nodeId(r), endpoint(r), 1, MemberState.ALIVE, nodeId(r), signature(r)));
      digests.add(new OwnerDigest(nodeId(r), r.nextLong(0, 9), r.nextLong(0, 99)));
    }
    List<io.shoal.gossip.OwnerEntry> deltas = new ArrayList<>();
    for (GossipUpdate u : updates(r)) {
      if (u instanceof io.shoal.gossip.OwnerEntry e) {
        deltas.add(e);
      }
    }
    return new GossipMessage.Sync(
        pick(r, GossipMessage.Sync.Phase.values()), members, digests, r.nextBoolean(), deltas);
  }

  static byte[] frameBody(Object message) {
    ByteBuf frame = ControlCodec.encode(ByteBufAllocator.DEFAULT, message);
    try {
      frame.skipBytes(4);
      byte[] body = new byte[frame.readableBytes()];
      frame.readBytes(body);
      return body;
    } finally {
      frame.release();
    }
  }

  /** A whole chunk frame (length field included), raw or a delta as {@code r} picks. */
  static byte[] chunkFrame(SplittableRandom r) {
    byte[] payload = new byte[r.nextInt(3000)];
    r.nextBytes(payload);
    boolean delta = r.nextBoolean();
    ByteBuf b = Unpooled.buffer();
    ChunkFrame.writeHeader(
        b,
        r.nextLong(),
        chunkId(r),
        delta ? ChunkFrame.ENCODING_DELTA : ChunkFrame.ENCODING_RAW,
        delta ? r.nextInt(6000) : payload.length,
        payload.length);
    b.writeBytes(payload);
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    b.release();
    return out;
  }

  // ------------------------------------------------------------ properties

  @Property(tries = 1500)
  void controlMessages_mutated_decodeOrAreMalformed(@ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int kind = Math.floorMod(seed, MESSAGE_KINDS);
    Object valid = message(kind, r);
    byte[] body = frameBody(valid);
    assertThat(ControlCodec.decode(Unpooled.wrappedBuffer(body))).isEqualTo(valid);
    String name = "control/" + valid.getClass().getSimpleName();
    long start = System.nanoTime();
    for (int i = 0; i < Mutations.PER_SEED; i++) {
      byte[] mutant = Mutations.mutate(body, r);
      long before = THREADS.getCurrentThreadAllocatedBytes();
      try {
        ControlCodec.decode(Unpooled.wrappedBuffer(mutant));
      } catch (MalformedMessageException expected) {
        // The one refusal allowed.
      }
      assertAllocationBounded(
          name, mutant.length, THREADS.getCurrentThreadAllocatedBytes() - before);
    }
    TALLY.add(name, Mutations.PER_SEED, System.nanoTime() - start);
  }

  @Property(tries = 100)
  void frames_mutated_throughThePipeline_decodeOrAreRefused(@ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    boolean chunk = r.nextBoolean();
    byte[] frame;
    if (chunk) {
      frame = chunkFrame(r);
    } else {
      byte[] body = frameBody(message(r.nextInt(MESSAGE_KINDS), r));
      frame = Unpooled.buffer().writeInt(body.length).writeBytes(body).array();
      frame = java.util.Arrays.copyOf(frame, 4 + body.length);
    }
    String name = chunk ? "frame/ChunkFrame" : "frame/control";
    long start = System.nanoTime();
    int mutants = Math.max(1, Mutations.PER_SEED / 10);
    for (int i = 0; i < mutants; i++) {
      byte[] mutant = Mutations.mutate(frame, r);
      long before = THREADS.getCurrentThreadAllocatedBytes();
      throughPipeline(mutant, r.nextBoolean());
      assertAllocationBounded(
          name, mutant.length, THREADS.getCurrentThreadAllocatedBytes() - before);
    }
    TALLY.add(name, mutants, System.nanoTime() - start);
  }

  @Property(tries = 1000)
  void chunkFrameBodies_mutated_decodeOrAreMalformed(@ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] frame = chunkFrame(r);
    byte[] body = java.util.Arrays.copyOfRange(frame, 5, frame.length); // after length and kind
    long start = System.nanoTime();
    for (int i = 0; i < Mutations.PER_SEED; i++) {
      byte[] mutant = Mutations.mutate(body, r);
      ChunkFrame f = null;
      try {
        f = ChunkFrame.decode(Unpooled.wrappedBuffer(mutant));
        assertThat(f.rawLength()).isBetween(0, ChunkFrame.MAX_RAW_BYTES);
      } catch (MalformedMessageException expected) {
        // The one refusal allowed.
      } finally {
        if (f != null) {
          f.release();
        }
      }
    }
    TALLY.add("ChunkFrame", Mutations.PER_SEED, System.nanoTime() - start);
  }

  /**
   * A delta against a random base, as a holder encodes it, and the base: the chunk is the base with
   * a few bytes overwritten, some moved, and a little appended.
   */
  static byte[][] deltaAndBase(SplittableRandom r) {
    byte[] base = new byte[64 + r.nextInt(20_000)];
    r.nextBytes(base);
    byte[] chunk = java.util.Arrays.copyOf(base, base.length + r.nextInt(200));
    for (int i = r.nextInt(4); i > 0; i--) {
      int at = r.nextInt(chunk.length);
      byte[] noise = new byte[Math.min(chunk.length - at, 1 + r.nextInt(300))];
      r.nextBytes(noise);
      System.arraycopy(noise, 0, chunk, at, noise.length);
    }
    byte[] delta = ChunkDelta.encode(base, chunk);
    return new byte[][] {delta == null ? new byte[0] : delta, base, chunk};
  }

  @Property(tries = 300)
  void chunkDeltas_mutated_rebuildOrAreMalformed(@ForAll long seed) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    byte[][] made = deltaAndBase(r);
    byte[] delta = made[0];
    byte[] base = made[1];
    byte[] chunk = made[2];
    if (delta.length > 0) {
      assertThat(ChunkDelta.apply(base, java.nio.ByteBuffer.wrap(delta), chunk.length))
          .isEqualTo(chunk);
    }
    long start = System.nanoTime();
    for (int i = 0; i < Mutations.PER_SEED; i++) {
      byte[] mutant = Mutations.mutate(delta, r);
      int rawLength = r.nextInt(8) == 0 ? r.nextInt(1 << 16) : chunk.length;
      long before = THREADS.getCurrentThreadAllocatedBytes();
      try {
        assertThat(ChunkDelta.apply(base, java.nio.ByteBuffer.wrap(mutant), rawLength))
            .hasSize(rawLength);
      } catch (MalformedDeltaException expected) {
        // The one refusal allowed: the reply counts as a chunk that failed verification.
      }
      assertAllocationBounded(
          "ChunkDelta", mutant.length, THREADS.getCurrentThreadAllocatedBytes() - before);
    }
    TALLY.add("ChunkDelta", Mutations.PER_SEED, System.nanoTime() - start);
  }

  /** Feeds one frame's bytes through the peer pipeline's decoders; only refusals may escape. */
  private static void throughPipeline(byte[] bytes, boolean authenticated) {
    FrameDecoder frames = FrameCodec.frameDecoder();
    if (authenticated) {
      frames.authenticated();
    }
    EmbeddedChannel ch = new EmbeddedChannel(frames, new FrameCodec.MessageDecoder(METRICS));
    try {
      ch.writeInbound(Unpooled.wrappedBuffer(bytes));
    } catch (DecoderException e) {
      assertRefusal(e);
    }
    for (Object m; (m = ch.readInbound()) != null; ) {
      ReferenceCountUtil.release(m);
    }
    try {
      ch.finishAndReleaseAll();
    } catch (DecoderException e) {
      assertRefusal(e);
    }
  }

  private static void assertRefusal(DecoderException e) {
    Throwable c = e instanceof TooLongFrameException ? e : e.getCause();
    assertThat(c).isInstanceOfAny(MalformedMessageException.class, TooLongFrameException.class);
  }

  private static void assertAllocationBounded(String decoder, int inputBytes, long allocated) {
    assertThat(allocated)
        .as("%s allocated %d bytes for an input of %d bytes", decoder, allocated, inputBytes)
        .isLessThanOrEqualTo(
            ALLOCATION_BOUND_BYTES + (long) ALLOCATION_PER_INPUT_BYTE * inputBytes);
  }
}
