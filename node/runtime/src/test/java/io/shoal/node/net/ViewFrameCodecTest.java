package io.shoal.node.net;

import static io.shoal.node.net.CodecBodies.assertEveryPrefixRefused;
import static io.shoal.node.net.CodecBodies.assertRefused;
import static io.shoal.node.net.CodecBodies.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.views.ViewConfig;
import io.shoal.gossip.views.ViewMessage;
import io.shoal.gossip.views.ViewMessage.ForwardJoin;
import io.shoal.gossip.views.ViewMessage.Gossip;
import io.shoal.gossip.views.ViewMessage.Graft;
import io.shoal.gossip.views.ViewMessage.IHave;
import io.shoal.gossip.views.ViewMessage.Shuffle;
import io.shoal.gossip.views.ViewMessage.ShuffleReply;
import io.shoal.node.core.membership.ViewFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViewFrameCodecTest {
  static final NodeId TO = new NodeId(1, 2);
  static final NodeId B = new NodeId(3, 4);

  static Endpoint at(int port) {
    return new Endpoint("10.0.0." + (port % 200 + 1), port);
  }

  static List<NodeId> ids(int n) {
    List<NodeId> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new NodeId(100 + i, i));
    }
    return out;
  }

  static List<Endpoint> addresses(int n) {
    List<Endpoint> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(at(7000 + i));
    }
    return out;
  }

  static List<ViewFrame> everyFrame() {
    List<NodeId> three = ids(3);
    List<Endpoint> four = addresses(4);
    return List.of(
        new ViewFrame(TO, ViewMessage.JOIN, List.of()),
        new ViewFrame(TO, new ForwardJoin(B, 6), List.of(at(7420))),
        new ViewFrame(TO, ViewMessage.NEIGHBOR_HIGH, List.of()),
        new ViewFrame(TO, ViewMessage.NEIGHBOR_LOW, List.of()),
        new ViewFrame(TO, ViewMessage.ACCEPTED, List.of()),
        new ViewFrame(TO, ViewMessage.REFUSED, List.of()),
        new ViewFrame(TO, ViewMessage.DISCONNECT, List.of()),
        new ViewFrame(TO, new Shuffle(B, three, ViewConfig.MAX_WALK_HOPS), four),
        new ViewFrame(TO, new ShuffleReply(three), four.subList(1, 4)),
        new ViewFrame(TO, new ShuffleReply(List.of()), List.of()),
        new ViewFrame(TO, new Gossip(-5L, 3, new byte[] {1, 2, 3}), List.of()),
        new ViewFrame(TO, new IHave(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}), List.of()),
        new ViewFrame(TO, new Graft(42), List.of()),
        new ViewFrame(TO, ViewMessage.PRUNE, List.of()));
  }

  static ViewFrame roundTrip(ViewFrame f) {
    return (ViewFrame) ControlCodecTest.roundTrip(f);
  }

  /** Records with arrays compare by identity: compare their contents instead. */
  static String describe(ViewFrame f) {
    String m =
        f.message() instanceof Gossip g
            ? "Gossip" + g.id() + "/" + g.round() + Arrays.toString(g.payload())
            : f.message() instanceof IHave h
                ? "IHave" + Arrays.toString(h.ids())
                : "" + f.message();
    return f.to() + " " + m + " " + f.addresses();
  }

  @Test
  void everyViewMessage_roundTripsWithItsAddresses() {
    for (ViewFrame f : everyFrame()) {
      assertThat(describe(roundTrip(f))).isEqualTo(describe(f));
    }
  }

  @Test
  void largestAllowedLists_roundTrip() {
    int n = ViewConfig.MAX_SHUFFLE_PEERS;
    long[] ids = new long[ViewConfig.MAX_IHAVE_IDS];
    for (ViewFrame f :
        List.of(
            new ViewFrame(TO, new ShuffleReply(ids(n)), addresses(n)),
            new ViewFrame(TO, new Shuffle(B, ids(n), 0), addresses(n + 1)),
            new ViewFrame(TO, new IHave(ids), List.of()),
            new ViewFrame(
                TO, new Gossip(1, 0, new byte[ViewConfig.MAX_PAYLOAD_BYTES]), List.of()))) {
      assertThat(describe(roundTrip(f))).isEqualTo(describe(f));
    }
  }

  @Test
  void shuffleOverThePeerBound_isRefusedNamingTheCount() {
    int n = ViewConfig.MAX_SHUFFLE_PEERS + 1;
    assertRefused(
        new ViewFrame(TO, new Shuffle(B, ids(n), 2), addresses(n + 1)),
        "shuffle peer count = 33 is out of range (0..32)");
    assertRefused(
        new ViewFrame(TO, new ShuffleReply(ids(n)), addresses(n)),
        "shuffle reply peer count = 33 is out of range (0..32)");
  }

  @Test
  void ihaveOverTheIdBound_isRefused() {
    assertRefused(
        new ViewFrame(TO, new IHave(new long[ViewConfig.MAX_IHAVE_IDS + 1]), List.of()),
        "ihave id count = 65 is out of range (0..64)");
  }

  @Test
  void payloadOverTheByteBound_isRefused() {
    assertRefused(
        new ViewFrame(TO, new Gossip(1, 0, new byte[ViewConfig.MAX_PAYLOAD_BYTES + 1]), List.of()),
        "gossip payload length = 1025 is out of range (max 1024)");
  }

  @Test
  void negativeOrOverlongWalks_areRefused() {
    assertRefused(
        new ViewFrame(TO, new ForwardJoin(B, -1), List.of(at(1))),
        "hops left = -1 is out of range (0..16)");
    assertRefused(
        new ViewFrame(TO, new ForwardJoin(B, ViewConfig.MAX_WALK_HOPS + 1), List.of(at(1))),
        "hops left = 17 is out of range (0..16)");
    assertRefused(
        new ViewFrame(TO, new Shuffle(B, ids(1), -3), addresses(2)),
        "hops left = -3 is out of range (0..16)");
  }

  @Test
  void negativeRoundOrCount_isRefused() {
    assertRefused(
        new ViewFrame(TO, new Gossip(1, -1, new byte[1]), List.of()),
        "gossip round = -1 is negative");
    ByteBuf frame = body(new ViewFrame(TO, new IHave(new long[0]), List.of()));
    frame.setByte(frame.writerIndex() - 1, 0xff); // the count's varint now runs off the end
    assertThatThrownBy(() -> ControlCodec.decode(frame)).isInstanceOf(RuntimeException.class);
    frame.release();
  }

  @Test
  void unknownType_isRefused() {
    ByteBuf frame = body(new ViewFrame(TO, ViewMessage.PRUNE, List.of()));
    frame.setByte(frame.writerIndex() - 1, 12);
    assertThatThrownBy(() -> ControlCodec.decode(frame))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("unknown view message type 12");
    frame.release();
  }

  @Test
  void truncatedFrame_isRefused() {
    assertEveryPrefixRefused(new ViewFrame(TO, new ShuffleReply(ids(3)), addresses(3)));
  }

  @Test
  void addressesNotAlignedWithTheNamedNodes_areAProgrammerError() {
    assertThatThrownBy(() -> new ViewFrame(TO, new ShuffleReply(ids(2)), addresses(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a shuffle_reply names 2 nodes, not 1");
  }
}
