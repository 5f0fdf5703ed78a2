package io.shoal.node.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
 * pipeline closes the connection.
 *
 * <p>The bytes of a frame are copied once: when the buffer that gathers them must grow, it grows to
 * the whole frame whose length it holds (plus one read's worth, for the start of the next), not by
 * doubling, which copied a 1.2 MiB chunk frame about twice on its way through 64 KiB to 2 MiB
 * buffers. A peer can so make the node hold the frame it announced before the frame arrives: at
 * most {@link #maxFrameBytes()} per connection (and the slack once authenticated), as a frame it
 * sent would. Event-loop confined.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private static final int LENGTH_BYTES = 4;

  /** Room beyond a frame for what the read that ends it brings of the next: one read's worth. */
  static final int NEXT_FRAME_SLACK_BYTES = 64 << 10;

  private int maxFrameBytes = WireProtocol.MAX_PREAUTH_FRAME_BYTES;
  private int slackBytes; // none before authentication: a stranger gets its 4 KiB frame, no more
  private boolean failed;

  FrameDecoder() {
    setCumulator(this::cumulate);
  }

  private ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
    if (!cumulation.isReadable() && in.isContiguous()) {
      cumulation.release(); // nothing gathered yet (or the empty buffer): the read itself will do
      return in;
    }
    try {
      int incoming = in.readableBytes();
      if (incoming <= cumulation.writableBytes()
          && cumulation.refCnt() == 1
          && !cumulation.isReadOnly()) {
        cumulation.writeBytes(in);
        return cumulation;
      }
      int want = cumulation.readableBytes() + incoming;
      ByteBuf grown = alloc.buffer(Math.max(want, frameBytesUnderWay(cumulation)));
      grown.writeBytes(cumulation).writeBytes(in);
      cumulation.release();
      return grown;
    } finally {
      in.release();
    }
  }

  /**
   * Room for the frame whose length starts {@code cumulation}, and for the start of the next; 0
   * when its length has not arrived or is past the bound (which {@link #decode} refuses).
   */
  private int frameBytesUnderWay(ByteBuf cumulation) {
    if (failed || cumulation.readableBytes() < LENGTH_BYTES) {
      return 0;
    }
    long length = cumulation.getUnsignedInt(cumulation.readerIndex());
    return length > maxFrameBytes ? 0 : LENGTH_BYTES + (int) length + slackBytes;
  }

  /** Raises the bound to {@link WireProtocol#MAX_FRAME_BYTES}: the peer is authenticated. */
  void authenticated() {
    maxFrameBytes = WireProtocol.MAX_FRAME_BYTES;
    slackBytes = NEXT_FRAME_SLACK_BYTES;
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
