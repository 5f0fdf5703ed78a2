package io.shoal.node.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/** The pipeline pieces that turn frames into messages and back. */
final class FrameCodec {
  private FrameCodec() {}

  /**
   * Splits the stream into frames of at most {@link WireProtocol#MAX_FRAME_BYTES}, stripping the
   * length; an oversized length fails fast (TooLongFrameException) and closes the channel.
   */
  static LengthFieldBasedFrameDecoder frameDecoder() {
    return new LengthFieldBasedFrameDecoder(WireProtocol.MAX_FRAME_BYTES, 0, 4, 0, 4, true);
  }

  /** Frame body to control message. */
  static final class MessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    private final NodeMetrics metrics;

    MessageDecoder(NodeMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
      int bytes = frame.readableBytes() + 4;
      if (frame.isReadable() && frame.getUnsignedByte(frame.readerIndex()) == ChunkFrame.KIND) {
        frame.skipBytes(1);
        ChunkFrame chunk = ChunkFrame.decode(frame);
        metrics.chunkBytesReceived(bytes);
        out.add(chunk);
        return;
      }
      Object message = ControlCodec.decode(frame);
      metrics.received(message, bytes);
      out.add(message);
    }
  }

  /** Control message to frame; a message that cannot be encoded fails its write. */
  static final class MessageEncoder extends ChannelOutboundHandlerAdapter {
    private final NodeMetrics metrics;

    MessageEncoder(NodeMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof ByteBuf || msg instanceof io.netty.channel.FileRegion) {
        ctx.write(msg, promise); // chunk frames: header and payload, already framed
        return;
      }
      ByteBuf frame;
      try {
        frame = ControlCodec.encode(ctx.alloc(), msg);
      } catch (IllegalArgumentException e) {
        promise.setFailure(e);
        return;
      }
      metrics.sent(msg, frame.readableBytes());
      ctx.write(frame, promise);
    }
  }
}
