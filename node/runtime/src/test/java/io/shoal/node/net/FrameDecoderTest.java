package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
  private static ByteBuf frame(int bodyBytes) {
    ByteBuf b = ByteBufAllocator.DEFAULT.buffer(4 + bodyBytes);
    byte[] body = new byte[bodyBytes];
    for (int i = 0; i < bodyBytes; i++) {
      body[i] = (byte) i;
    }
    // One write, not one per byte: the tests' paranoid leak detector records every access.
    return b.writeInt(bodyBytes).writeBytes(body);
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

  /** Counts the bytes of buffers a channel's handlers allocate, and of every buffer they grow. */
  private static final class CountingAllocator extends AbstractByteBufAllocator {
    long requestedBytes;

    CountingAllocator() {
      super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      requestedBytes += initialCapacity;
      return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity) {
        @Override
        public ByteBuf capacity(int newCapacity) {
          if (newCapacity > capacity()) {
            requestedBytes += newCapacity; // a new array, the bytes copied into it
          }
          return super.capacity(newCapacity);
        }
      };
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      requestedBytes += initialCapacity;
      return UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }

  /**
   * A chunk frame that arrives in 16 KiB reads is gathered into one buffer of its size: growing by
   * doubling asked for about 4 MiB (64 KiB to 2 MiB) and copied the frame about twice.
   */
  @Test
  void decode_aChunkFrameInManyReads_growsItsBufferOnce() {
    int body = (1 << 20) + (200 << 10);
    FrameDecoder decoder = new FrameDecoder();
    EmbeddedChannel ch = new EmbeddedChannel();
    CountingAllocator alloc = new CountingAllocator();
    ch.config().setAllocator(alloc);
    ch.pipeline().addLast(decoder);
    decoder.authenticated();
    ByteBuf whole = frame(body);
    while (whole.isReadable()) {
      ch.writeInbound(whole.readRetainedSlice(Math.min(16 << 10, whole.readableBytes())));
    }
    whole.release();
    ByteBuf got = ch.readInbound();
    assertThat(got.readableBytes()).isEqualTo(body);
    assertThat(got.getByte(body - 1)).isEqualTo((byte) (body - 1));
    got.release();
    assertThat(alloc.requestedBytes)
        .isLessThanOrEqualTo(4L + body + FrameDecoder.NEXT_FRAME_SLACK_BYTES);
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  /**
   * Before authentication the buffer sized for an announced frame holds that frame and nothing
   * more: a stranger that announces the largest frame it may and sends it slowly gets 4 KiB.
   */
  @Test
  void decode_beforeAuthentication_sizesNoMoreThanTheFrameAnnounced() {
    EmbeddedChannel ch = new EmbeddedChannel();
    CountingAllocator alloc = new CountingAllocator();
    ch.config().setAllocator(alloc);
    ch.pipeline().addLast(new FrameDecoder());
    ByteBuf whole = frame(WireProtocol.MAX_PREAUTH_FRAME_BYTES);
    while (whole.readableBytes() > 1) { // all but the last byte, 100 bytes a read
      ch.writeInbound(whole.readRetainedSlice(Math.min(100, whole.readableBytes() - 1)));
    }
    assertThat(alloc.requestedBytes).isLessThanOrEqualTo(4L + WireProtocol.MAX_PREAUTH_FRAME_BYTES);
    ch.writeInbound(whole);
    ByteBuf got = ch.readInbound();
    assertThat(got.readableBytes()).isEqualTo(WireProtocol.MAX_PREAUTH_FRAME_BYTES);
    got.release();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  /** Frames of every size, cut at random places, come out whole and in order. */
  @Test
  void decode_framesCutAnywhere_comeOutWholeAndInOrder() {
    Random random = new Random(7);
    FrameDecoder decoder = new FrameDecoder();
    EmbeddedChannel ch = new EmbeddedChannel(decoder);
    decoder.authenticated();
    int[] sizes = {0, 1, 3, 100, 70_000, 1 << 20, 5, (1 << 20) + 12_345, 65_536, 2};
    ByteBuf stream = ByteBufAllocator.DEFAULT.buffer();
    for (int size : sizes) {
      ByteBuf f = frame(size);
      stream.writeBytes(f);
      f.release();
    }
    while (stream.isReadable()) {
      int n = Math.min(1 + random.nextInt(200_000), stream.readableBytes());
      ch.writeInbound(stream.readRetainedSlice(n));
    }
    stream.release();
    for (int size : sizes) {
      ByteBuf got = ch.readInbound();
      assertThat(got.readableBytes()).isEqualTo(size);
      for (int i = 0; i < size; i += 997) {
        assertThat(got.getByte(i)).isEqualTo((byte) i);
      }
      got.release();
    }
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }
}
