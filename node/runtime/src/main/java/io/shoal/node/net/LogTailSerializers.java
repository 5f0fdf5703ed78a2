package io.shoal.node.net;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.shoal.chunkstore.log.LogSegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire forms of a log's tail (protocol version 7): {@link LogTail.Request} (registration id
 * {@link KryoRegistry#LOG_TAIL_REQUEST}) and {@link LogTail.Reply} ({@link
 * KryoRegistry#LOG_TAIL_REPLY}). Every length and count is checked against its bound and the bytes
 * left before anything is allocated; the encoders write what they are given, so hostile-peer tests
 * can send oversized ones.
 *
 * <pre>
 * request: name length (varint 0..512) | name (UTF-8) | from (varlong >= 0)
 *          | wait ms (varint 0..30000)
 * reply:   name length | name | from (varlong >= 0) | status (byte 1..6)
 *          | count (varint 0..4096, 0 unless status 1)
 *          | (length (varint 0..1 MiB) | record) x count, at most 768 KiB of records in all
 * </pre>
 */
final class LogTailSerializers {
  private LogTailSerializers() {}

  static final class RequestSerializer extends Serializer<LogTail.Request> {
    @Override
    public void write(Kryo kryo, Output out, LogTail.Request r) {
      Wire.writeString(out, r.name());
      out.writeVarLong(r.from(), true);
      out.writeVarInt(r.waitMillis(), true);
    }

    @Override
    public LogTail.Request read(Kryo kryo, Input in, Class<? extends LogTail.Request> t) {
      String name = Wire.readString(in, LogTail.MAX_NAME_BYTES, "log name");
      long from = Wire.readNonNegativeLong(in, "log offset");
      int wait = in.readVarInt(true);
      if (wait < 0 || wait > LogTail.MAX_WAIT_MILLIS) {
        throw new MalformedMessageException(
            "log tail wait = " + wait + " ms is out of range (0.." + LogTail.MAX_WAIT_MILLIS + ")");
      }
      return new LogTail.Request(name, from, wait);
    }
  }

  static final class ReplySerializer extends Serializer<LogTail.Reply> {
    @Override
    public void write(Kryo kryo, Output out, LogTail.Reply r) {
      Wire.writeString(out, r.name());
      out.writeVarLong(r.from(), true);
      out.writeByte(code(r.status()));
      out.writeVarInt(r.records().size(), true);
      for (byte[] record : r.records()) {
        out.writeVarInt(record.length, true);
        out.writeBytes(record);
      }
    }

    @Override
    public LogTail.Reply read(Kryo kryo, Input in, Class<? extends LogTail.Reply> t) {
      String name = Wire.readString(in, LogTail.MAX_NAME_BYTES, "log name");
      long from = Wire.readNonNegativeLong(in, "log offset");
      LogTail.Status status = status(in.readByte());
      int n = Wire.readCount(in, LogTail.MAX_RECORDS, "log tail record count");
      if (n > 0 && status != LogTail.Status.RECORDS) {
        throw new MalformedMessageException(
            "a log tail reply of status " + status + " has records");
      }
      List<byte[]> records = new ArrayList<>(n);
      long bytes = 0;
      for (int i = 0; i < n; i++) {
        int length = Wire.readCount(in, LogSegment.MAX_RECORD_BYTES, "log tail record length");
        bytes += length;
        if (bytes > LogTail.MAX_BYTES) {
          throw new MalformedMessageException(
              "log tail records exceed " + LogTail.MAX_BYTES + " bytes");
        }
        records.add(in.readBytes(length));
      }
      return new LogTail.Reply(name, from, status, records);
    }
  }

  private static int code(LogTail.Status s) {
    return switch (s) {
      case RECORDS -> 1;
      case NOT_WRITER -> 2;
      case BEHIND -> 3;
      case TOO_LARGE -> 4;
      case BUSY -> 5;
      case REFUSED -> 6;
    };
  }

  private static LogTail.Status status(int code) {
    return switch (code) {
      case 1 -> LogTail.Status.RECORDS;
      case 2 -> LogTail.Status.NOT_WRITER;
      case 3 -> LogTail.Status.BEHIND;
      case 4 -> LogTail.Status.TOO_LARGE;
      case 5 -> LogTail.Status.BUSY;
      case 6 -> LogTail.Status.REFUSED;
      default -> throw new MalformedMessageException("unknown log tail status " + code);
    };
  }
}
