package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** A control message's frame body as a peer would send it, and the checks the codec tests share. */
final class CodecBodies {
  private CodecBodies() {}

  /** {@code m} encoded, without the frame's length prefix; the caller releases it. */
  static ByteBuf body(Object m) {
    ByteBuf frame = ControlCodec.encode(ByteBufAllocator.DEFAULT, m);
    frame.skipBytes(4);
    return frame;
  }

  /** Decoding {@code m}'s body fails as a malformed message whose text holds {@code message}. */
  static void assertRefused(Object m, String message) {
    ByteBuf frame = body(m);
    try {
      assertThatThrownBy(() -> ControlCodec.decode(frame))
          .isInstanceOf(MalformedMessageException.class)
          .hasMessageContaining(message);
    } finally {
      frame.release();
    }
  }

  /** Every proper prefix of {@code m}'s body fails to decode. */
  static void assertEveryPrefixRefused(Object m) {
    ByteBuf whole = body(m);
    try {
      for (int cut = 1; cut < whole.readableBytes(); cut++) {
        ByteBuf part = whole.copy(whole.readerIndex(), cut);
        try {
          assertThatThrownBy(() -> ControlCodec.decode(part)).isInstanceOf(RuntimeException.class);
        } finally {
          part.release();
        }
      }
    } finally {
      whole.release();
    }
  }
}
