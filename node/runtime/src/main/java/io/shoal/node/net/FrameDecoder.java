package io.shoal.node.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the byte stream into frames and strips their length field, with a bound that starts small
 * and is raised once the peer is authenticated: until then a connection holds at most {@link
 * WireProtocol#MAX_PREAUTH_FRAME_BYTES} of partial frame, so a stranger cannot make the node buffer
 * a 4 MiB chunk frame before it has said who it is.
 *
 * <pre>
 * BEFORE DECODE                           AFTER DECODE
 * +-------------+---------------+         +---------------+
 * | length u32  | body (length) |  ---->  | body (length) |
 * +-------------+---------------+         +---------------+
 * </pre>
 *
 * A length above the current bound fails at once with a {@link TooLongFrameException} naming both
 * values, before the body arrives; the decoder then discards everything that follows, and the
 * pipeline closes the connection. Event-loop confined.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private static final int LENGTH_BYTES = 4;

  private int maxFrameBytes = WireProtocol.MAX_PREAUTH_FRAME_BYTES;
  private boolean failed;

  /** Raises the bound to {@link WireProtocol#MAX_FRAME_BYTES}: the peer is authenticated. */
  void authenticated() {
    maxFrameBytes = WireProtocol.MAX_FRAME_BYTES;
  }

  int maxFrameBytes() {
    return maxFrameBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < LENGTH_BYTES) {
      return;
    }
    long length = in.getUnsignedInt(in.readerIndex());
    if (length > maxFrameBytes) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw new TooLongFrameException(
          "frame of " + length + " bytes exceeds the bound of " + maxFrameBytes + " bytes");
    }
    if (in.readableBytes() < LENGTH_BYTES + length) {
      return;
    }
    in.skipBytes(LENGTH_BYTES);
    out.add(in.readRetainedSlice((int) length));
  }
}
