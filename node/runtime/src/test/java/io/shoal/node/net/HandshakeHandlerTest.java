package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HandshakeHandlerTest {
  static final NodeId SELF = new NodeId(1, 1);
  static final NodeId PEER = new NodeId(2, 2);
  static final Endpoint ADDR = new Endpoint("127.0.0.1", 7420);

  private final NodeMetrics metrics = new NodeMetrics();
  private final List<Object> events = new ArrayList<>();

  private EmbeddedChannel channel() {
    return new EmbeddedChannel(
        FrameCodec.frameDecoder(),
        new HandshakeHandler(
            new HandshakeHandler.Identity("prod", SELF, ADDR),
            metrics,
            new LogLimiter(TimeUnit.MINUTES.toNanos(1)),
            null),
        new ChannelInboundHandlerAdapter() {
          @Override
          public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
          }

          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            events.add(msg);
          }
        });
  }

  @Test
  void channelActive_insecure_sendsHelloAtOnce() {
    EmbeddedChannel ch = channel();
    Object hello = ch.readOutbound();
    assertThat(hello)
        .isEqualTo(
            new Handshake.Hello(
                WireProtocol.MIN_VERSION, WireProtocol.MAX_VERSION, "prod", SELF, ADDR));
    ch.finishAndReleaseAll();
  }

  @Test
  void chunkFrameBeforeHello_isReleasedAndRefused() {
    EmbeddedChannel ch = channel();
    ch.readOutbound();
    ByteBuf payload = ByteBufAllocator.DEFAULT.buffer(1024).writeZero(1024);
    ChunkFrame early =
        new ChunkFrame(
            1, HashAlgorithm.XXH128.hash(new byte[] {1}), ChunkFrame.ENCODING_RAW, 1024, payload);
    ch.writeInbound(early);
    assertThat(early.refCnt()).as("the refused frame's references").isZero();
    Object refused = ch.readOutbound();
    assertThat(refused).isInstanceOf(Handshake.Refused.class);
    ch.runPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    assertThat(events).isEmpty();
    assertThat(metrics.handshakesRefused.labelValues("protocol").get()).isEqualTo(1.0);
    ch.finishAndReleaseAll();
  }

  @Test
  void helloOfAnotherCluster_isRefused() {
    EmbeddedChannel ch = channel();
    ch.readOutbound();
    ch.writeInbound(
        new Handshake.Hello(
            WireProtocol.MIN_VERSION, WireProtocol.MAX_VERSION, "staging", PEER, ADDR));
    assertThat(((Handshake.Refused) ch.readOutbound()).reason()).contains("staging");
    assertThat(events).isEmpty();
    ch.finishAndReleaseAll();
  }

  @Test
  void helloOfAnOlderVersionOnly_isRefusedNamingTheVersions() {
    EmbeddedChannel ch = channel();
    ch.readOutbound();
    ch.writeInbound(new Handshake.Hello(1, 1, "prod", PEER, ADDR));
    assertThat(((Handshake.Refused) ch.readOutbound()).reason())
        .contains("no common protocol version");
    ch.finishAndReleaseAll();
  }

  @Test
  void goodHello_firesPeerAuthenticated_andRaisesTheFrameBound() {
    EmbeddedChannel ch = channel();
    ch.readOutbound();
    assertThat(ch.pipeline().get(FrameDecoder.class).maxFrameBytes())
        .isEqualTo(WireProtocol.MAX_PREAUTH_FRAME_BYTES);
    ch.writeInbound(
        new Handshake.Hello(
            WireProtocol.MIN_VERSION, WireProtocol.MAX_VERSION, "prod", PEER, ADDR));
    assertThat(events)
        .containsExactly(new PeerAuthenticated(PEER, ADDR, WireProtocol.MAX_VERSION, new byte[0]));
    assertThat(ch.pipeline().get(HandshakeHandler.class)).isNull();
    assertThat(ch.pipeline().get(FrameDecoder.class).maxFrameBytes())
        .isEqualTo(WireProtocol.MAX_FRAME_BYTES);
    ch.finishAndReleaseAll();
  }

  @Test
  void noHelloWithinTheTimeout_isRefused() throws Exception {
    EmbeddedChannel ch = channel();
    ch.readOutbound();
    ch.advanceTimeBy(HandshakeHandler.TIMEOUT_SECONDS + 1, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(((Handshake.Refused) ch.readOutbound()).reason()).contains("not finished within");
    ch.finishAndReleaseAll();
  }
}
