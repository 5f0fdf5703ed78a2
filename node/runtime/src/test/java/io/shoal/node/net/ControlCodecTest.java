package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
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
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ControlCodecTest {
  static final NodeId A = new NodeId(1, 2);
  static final Endpoint ADDR = new Endpoint("127.0.0.1", 7420);
  static final Signature SIG = Signature.of(new byte[] {9, 8, 7, 6, 5, 4, 3, 2, 1});
  static final MemberUpdate MEMBER =
      new MemberUpdate(A, ADDR, 3, MemberState.SUSPECT, new NodeId(4, 5), SIG);
  static final CatalogDelta DELTA =
      new CatalogDelta(
          A,
          2,
          9,
          "orders",
          new CatalogValue(
              List.of(
                  new HeldVersion(
                      4,
                      HashAlgorithm.SHA256.hash(new byte[] {1}),
                      true,
                      77,
                      new NodeId(6, 7),
                      SIG))),
          SIG);
  static final CatalogDelta PINNED =
      new CatalogDelta(
          A,
          2,
          11,
          "orders",
          DELTA
              .value()
              .withPin(
                  new Pin(
                      1_700_000_000_000L,
                      new NodeId(6, 7),
                      4,
                      DELTA.value().versions().get(0).root(),
                      SIG)),
          SIG);
  static final CatalogDelta UNPINNED =
      new CatalogDelta(
          A, 2, 12, "orders", CatalogValue.removed().withPin(new Pin(5, A, 0, null, SIG)), SIG);
  static final CredentialDelta CREDENTIAL =
      new CredentialDelta(A, 2, 10, new NodeId(6, 7), Credential.of(new byte[300]), SIG);
  static final List<GossipUpdate> UPDATES = List.of(MEMBER, DELTA, PINNED, UNPINNED, CREDENTIAL);

  static List<Object> everyMessage() {
    return List.of(
        new Handshake.Hello(WireProtocol.MIN_VERSION, WireProtocol.MAX_VERSION, "prod", A, ADDR),
        new Handshake.Refused("no"),
        new GossipMessage.Ping(7, A, UPDATES),
        new GossipMessage.Ack(8, A, UPDATES),
        new GossipMessage.PingReq(9, A, ADDR, UPDATES),
        new GossipMessage.Nack(10),
        new GossipMessage.Gossip(UPDATES),
        new GossipMessage.Sync(
            GossipMessage.Sync.Phase.REPLY,
            List.of(MEMBER),
            List.of(new OwnerDigest(A, 1, 2)),
            true,
            List.of(CREDENTIAL, DELTA)));
  }

  static Object roundTrip(Object message) {
    ByteBuf frame = ControlCodec.encode(ByteBufAllocator.DEFAULT, message);
    try {
      int length = frame.readInt();
      assertThat(length).isEqualTo(frame.readableBytes());
      return ControlCodec.decode(frame);
    } finally {
      frame.release();
    }
  }

  @Test
  void everyMessage_roundTrips() {
    for (Object m : everyMessage()) {
      assertThat(roundTrip(m)).isEqualTo(m);
    }
  }

  @Test
  void unknownRegistrationId_isMalformed() {
    ByteBuf body = Unpooled.buffer().writeByte(WireProtocol.KIND_CONTROL).writeByte(99);
    assertThatThrownBy(() -> ControlCodec.decode(body))
        .isInstanceOf(MalformedMessageException.class);
  }

  @Test
  void helloOfVersionOne_isMalformedNamingTheVersions() {
    // Version 1's Hello: versions 1..1, cluster id, node id, address, then a 32-byte nonce.
    ByteBuf body =
        Unpooled.buffer()
            .writeByte(WireProtocol.KIND_CONTROL)
            .writeByte(KryoRegistry.HELLO)
            .writeByte(1)
            .writeByte(1)
            .writeZero(64);
    assertThatThrownBy(() -> ControlCodec.decode(body))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("versions 1..1 only");
  }

  /**
   * The Hello of each older version is refused, naming both ranges. What an older node would do
   * wrong: version 3 closes the connection on a DeltaRequest or a delta chunk frame; version 4
   * misreads every member record (they end with a zone from version 5); version 5 closes it on a
   * ViewFrame (registration id 40); version 6 on a LogTail.Request (registration id 43).
   */
  @ParameterizedTest
  @ValueSource(ints = {3, 4, 5, 6})
  void helloOfAnOlderVersion_isMalformedNamingBothRanges(int version) {
    ByteBuf body =
        ControlCodec.encode(
            ByteBufAllocator.DEFAULT, new Handshake.Hello(version, version, "prod", A, ADDR));
    body.skipBytes(4);
    assertThatThrownBy(() -> ControlCodec.decode(body))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining(
            "peer speaks protocol versions "
                + version
                + ".."
                + version
                + " only; this node speaks 7..7");
    body.release();
  }

  @Test
  void memberZone_roundTrips() {
    MemberUpdate zoned = withZone("rack-7.eu_west");
    assertThat(roundTrip(new GossipMessage.Gossip(List.of(zoned))))
        .isEqualTo(new GossipMessage.Gossip(List.of(zoned)));
  }

  @Test
  void memberZone_outsideTheAlphabet_isMalformed() {
    ByteBuf frame = gossipOf(withZone("zzzz"));
    int at = indexOf(frame, "zzzz");
    frame.setByte(at + 1, 'Z');
    assertThatThrownBy(() -> ControlCodec.decode(frame))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("bad zone 'zZzz'");
    frame.release();
  }

  @Test
  void memberZone_overLong_isRefusedAtItsLength() {
    String longest = "a".repeat(io.shoal.gossip.Zone.MAX_CHARS);
    ByteBuf frame = gossipOf(withZone(longest));
    int at = indexOf(frame, longest);
    frame.setByte(at - 1, io.shoal.gossip.Zone.MAX_CHARS + 1); // the varint length
    assertThatThrownBy(() -> ControlCodec.decode(frame))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("zone length");
    frame.release();
  }

  private static MemberUpdate withZone(String zone) {
    return new MemberUpdate(A, ADDR, 3, MemberState.ALIVE, A, SIG, zone);
  }

  private static ByteBuf gossipOf(MemberUpdate m) {
    ByteBuf frame =
        ControlCodec.encode(ByteBufAllocator.DEFAULT, new GossipMessage.Gossip(List.of(m)));
    frame.skipBytes(4);
    return frame;
  }

  private static int indexOf(ByteBuf frame, String ascii) {
    byte[] want = ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    for (int i = frame.readerIndex(); i + want.length <= frame.writerIndex(); i++) {
      boolean match = true;
      for (int j = 0; j < want.length && match; j++) {
        match = frame.getByte(i + j) == want[j];
      }
      if (match) {
        return i;
      }
    }
    throw new AssertionError("no " + ascii + " in the frame");
  }

  @Test
  void retiredAuthProofId_isAnUnknownRegistration() {
    ByteBuf body = Unpooled.buffer().writeByte(WireProtocol.KIND_CONTROL).writeByte(11);
    body.writeZero(32);
    assertThatThrownBy(() -> ControlCodec.decode(body))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("unknown registration id 11");
  }

  @Test
  void kryoBuiltInTypes_areRefused() {
    // Kryo registers String at id 1 with a reader that trusts the declared length.
    ByteBuf body = Unpooled.buffer().writeByte(WireProtocol.KIND_CONTROL).writeByte(1);
    body.writeBytes(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07});
    assertThatThrownBy(() -> ControlCodec.decode(body))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("registration id 1");
  }

  @Test
  void unknownFrameKind_isMalformedAndNamed() {
    ByteBuf body = Unpooled.buffer().writeByte(7).writeByte(1);
    assertThatThrownBy(() -> ControlCodec.decode(body))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("kind 7");
  }

  @Test
  void trailingBytes_areMalformed() {
    ByteBuf frame = ControlCodec.encode(ByteBufAllocator.DEFAULT, new GossipMessage.Nack(1));
    frame.skipBytes(4);
    ByteBuf body = Unpooled.buffer().writeBytes(frame).writeByte(0);
    frame.release();
    assertThatThrownBy(() -> ControlCodec.decode(body)).hasMessageContaining("trailing");
  }

  @Test
  void hugeDeclaredCount_isRefusedBeforeAllocating() {
    // A Gossip message claiming 2^31-1 updates in a 10-byte body.
    ByteBuf body =
        Unpooled.buffer().writeByte(WireProtocol.KIND_CONTROL).writeByte(KryoRegistry.GOSSIP);
    body.writeBytes(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07});
    assertThatThrownBy(() -> ControlCodec.decode(body))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("update count");
  }

  @Test
  void frames_splitAcrossReads_stillDecode() {
    EmbeddedChannel ch =
        new EmbeddedChannel(
            FrameCodec.frameDecoder(), new FrameCodec.MessageDecoder(new NodeMetrics()));
    ByteBuf stream = Unpooled.buffer();
    for (Object m : everyMessage()) {
      ByteBuf f = ControlCodec.encode(ByteBufAllocator.DEFAULT, m);
      stream.writeBytes(f);
      f.release();
    }
    while (stream.isReadable()) {
      ch.writeInbound(stream.readRetainedSlice(Math.min(3, stream.readableBytes())));
    }
    stream.release();
    for (Object m : everyMessage()) {
      assertThat(ch.<Object>readInbound()).isEqualTo(m);
    }
    assertThat(ch.<Object>readInbound()).isNull();
  }

  @Test
  void oversizedFrame_failsFast() {
    EmbeddedChannel ch = new EmbeddedChannel(FrameCodec.frameDecoder());
    ByteBuf huge = Unpooled.buffer().writeInt(WireProtocol.MAX_FRAME_BYTES + 1).writeByte(1);
    assertThatThrownBy(() -> ch.writeInbound(huge)).isInstanceOf(TooLongFrameException.class);
  }

  @Property(tries = 3000)
  void garbage_decodesOrIsMalformed_neverAnythingElse(@ForAll @Size(max = 200) byte[] bytes) {
    ByteBuf body = Unpooled.buffer().writeByte(WireProtocol.KIND_CONTROL).writeBytes(bytes);
    try {
      ControlCodec.decode(body);
    } catch (MalformedMessageException expected) {
      // The only failure allowed.
    }
  }

  @Property(tries = 3000)
  void mutatedMessages_decodeOrAreMalformed(
      @ForAll byte value, @ForAll int position, @ForAll int which) {
    Object m = everyMessage().get(Math.floorMod(which, everyMessage().size()));
    ByteBuf frame = ControlCodec.encode(ByteBufAllocator.DEFAULT, m);
    frame.skipBytes(4);
    int at =
        frame.readerIndex() + 1 + Math.floorMod(position, Math.max(1, frame.readableBytes() - 1));
    if (at < frame.writerIndex()) {
      frame.setByte(at, value);
    }
    try {
      ControlCodec.decode(frame);
    } catch (MalformedMessageException expected) {
      // The only failure allowed.
    } finally {
      frame.release();
    }
  }
}
