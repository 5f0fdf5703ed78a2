package io.shoal.node.net;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes a control message into a frame body and back, with Kryo (registration required) and the
 * serializers of {@link KryoRegistry}.
 *
 * <pre>
 * BEFORE ENCODE: a message object          AFTER ENCODE: a frame
 *                                          +------------+--------+-----------------------+
 *                                          | len u32    | kind 1 | reg id varint | fields |
 *                                          +------------+--------+-----------------------+
 * </pre>
 *
 * Decoding accepts a frame body (length already stripped by the frame decoder) and refuses an
 * unknown kind or registration id, any bound violation, and trailing bytes.
 */
public final class ControlCodec {
  private ControlCodec() {}

  /** The whole frame, length field included. */
  public static ByteBuf encode(ByteBufAllocator alloc, Object message) {
    Kryo kryo = KryoRegistry.obtain();
    try (Output out = new Output(256, WireProtocol.MAX_CONTROL_BYTES)) {
      // The registration id is written and read here, not by Kryo's class resolver, whose
      // reader would accept a class name of any declared length before refusing it.
      out.writeVarInt(kryo.getRegistration(message.getClass()).getId(), true);
      kryo.writeObject(out, message);
      int n = out.position();
      ByteBuf frame = alloc.buffer(5 + n);
      frame.writeInt(1 + n).writeByte(WireProtocol.KIND_CONTROL).writeBytes(out.getBuffer(), 0, n);
      return frame;
    } catch (KryoException e) {
      throw new IllegalArgumentException(
          "cannot encode " + message.getClass().getSimpleName() + ": " + e.getMessage(), e);
    } finally {
      KryoRegistry.release(kryo);
    }
  }

  /** Decodes a frame body (kind byte first). */
  public static Object decode(ByteBuf body) {
    int length = body.readableBytes();
    if (length < 1) {
      throw new MalformedMessageException("empty frame");
    }
    int kind = body.readUnsignedByte();
    if (kind != WireProtocol.KIND_CONTROL) {
      throw new MalformedMessageException("unknown frame kind " + kind);
    }
    if (length - 1 > WireProtocol.MAX_CONTROL_BYTES) {
      throw new MalformedMessageException(
          "control message of "
              + (length - 1)
              + " bytes exceeds "
              + WireProtocol.MAX_CONTROL_BYTES);
    }
    byte[] bytes = new byte[length - 1];
    body.readBytes(bytes);
    Kryo kryo = KryoRegistry.obtain();
    try (Input in = new Input(bytes)) {
      int id = in.readVarInt(true);
      if (!KryoRegistry.isMessageId(id)) {
        // Kryo pre-registers String and the primitives at ids 0 to 9 with readers that trust
        // declared lengths; only shoal's own messages are accepted.
        throw new MalformedMessageException("unknown registration id " + id);
      }
      com.esotericsoftware.kryo.Registration registration =
          kryo.getClassResolver().getRegistration(id);
      if (registration == null) {
        throw new MalformedMessageException("unknown registration id " + id);
      }
      Class<?> type = registration.getType();
      Object message = kryo.readObject(in, type);
      if (in.position() != bytes.length) {
        throw new MalformedMessageException(
            (bytes.length - in.position())
                + " trailing bytes after "
                + message.getClass().getSimpleName());
      }
      return message;
    } catch (KryoException | IllegalArgumentException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new MalformedMessageException(
          "undecodable control message: " + firstLine(root.getMessage()), e);
    } finally {
      KryoRegistry.release(kryo);
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "(no detail)";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
