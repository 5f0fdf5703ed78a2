package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
  private static ByteBuf frame(int bodyBytes) {
    ByteBuf b = ByteBufAllocator.DEFAULT.buffer(4 + bodyBytes);
    b.writeInt(bodyBytes);
    for (int i = 0; i < bodyBytes; i++) {
      b.writeByte(i);
    }
    return b;
  }

  @Test
  void decode_splitOneByteAtATime_yieldsTheBody() {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
    ByteBuf whole = frame(100);
    while (whole.isReadable()) {
      ch.writeInbound(whole.readRetainedSlice(1));
    }
    whole.release();
    ByteBuf body = ch.readInbound();
    assertThat(body.readableBytes()).isEqualTo(100);
    assertThat(body.getByte(99)).isEqualTo((byte) 99);
    body.release();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void decode_beforeAuthentication_refusesALengthAboveThePreauthBound() {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
    ByteBuf header =
        ByteBufAllocator.DEFAULT.buffer(4).writeInt(WireProtocol.MAX_PREAUTH_FRAME_BYTES + 1);
    assertThatThrownBy(() -> ch.writeInbound(header))
        .isInstanceOf(TooLongFrameException.class)
        .hasMessageContaining("4097 bytes exceeds the bound of 4096");
    // Whatever follows is discarded, not buffered.
    ch.writeInbound(frame(10));
    Object nothing = ch.readInbound();
    assertThat(nothing).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void decode_afterAuthentication_acceptsAChunkSizedFrame() {
    FrameDecoder decoder = new FrameDecoder();
    EmbeddedChannel ch = new EmbeddedChannel(decoder);
    decoder.authenticated();
    ch.writeInbound(frame(64 * 1024));
    ByteBuf body = ch.readInbound();
    assertThat(body.readableBytes()).isEqualTo(64 * 1024);
    body.release();
    ByteBuf tooLong = ByteBufAllocator.DEFAULT.buffer(4).writeInt(WireProtocol.MAX_FRAME_BYTES + 1);
    assertThatThrownBy(() -> ch.writeInbound(tooLong)).isInstanceOf(TooLongFrameException.class);
    ch.finishAndReleaseAll();
  }
}
