package io.shoal.node.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.io.IOException;
import java.util.List;

/** The pipeline pieces that turn frames into messages and back. */
final class FrameCodec {
  private FrameCodec() {}

  /** Splits the stream into frames, with the pre-authentication bound until raised. */
  static FrameDecoder frameDecoder() {
    return new FrameDecoder();
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
      if (msg instanceof ByteBuf) {
        ctx.write(msg, promise); // chunk frames: header and payload, already framed
        return;
      }
      if (msg instanceof FileRegion region) {
        // sendfile bypasses user space, so it cannot pass through TLS: read the region into a
        // pooled buffer instead. The transfer layer avoids this (it reads on its workers), but
        // whatever writes a region to an encrypted connection stays correct.
        if (PeerLink.isEncrypted(ctx.channel())) {
          writeCopy(ctx, region, promise);
        } else {
          ctx.write(region, promise);
        }
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

    private static void writeCopy(ChannelHandlerContext ctx, FileRegion region, ChannelPromise p) {
      ByteBuf copy = null;
      try {
        copy = SharedFileRegion.copyOf(region, ctx.alloc());
      } catch (IOException e) {
        p.setFailure(e);
        return;
      } finally {
        region.release();
      }
      ctx.write(copy, p);
    }
  }
}
