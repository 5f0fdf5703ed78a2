package io.shoal.node.net;

import static io.shoal.node.net.CodecBodies.assertEveryPrefixRefused;
import static io.shoal.node.net.CodecBodies.assertRefused;
import static io.shoal.node.net.CodecBodies.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.shoal.chunkstore.log.LogSegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogTailCodecTest {
  private static List<byte[]> records(int count, int length) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] b = new byte[length];
      java.util.Arrays.fill(b, (byte) i);
      out.add(b);
    }
    return out;
  }

  @Test
  void requestsAndReplies_roundTrip_upToTheirBounds() {
    for (Object m :
        List.of(
            new LogTail.Request("orders", 0, 0),
            new LogTail.Request("a".repeat(123), Long.MAX_VALUE, LogTail.MAX_WAIT_MILLIS),
            new LogTail.Reply("orders", 7, LogTail.Status.RECORDS, List.of()),
            new LogTail.Reply("orders", 7, LogTail.Status.RECORDS, records(3, 100)),
            new LogTail.Reply(
                "orders",
                7,
                LogTail.Status.RECORDS,
                records(LogTail.MAX_RECORDS, LogTail.MAX_BYTES / LogTail.MAX_RECORDS)),
            new LogTail.Reply("orders", 7, LogTail.Status.RECORDS, records(1, LogTail.MAX_BYTES)),
            new LogTail.Reply("orders", 9, LogTail.Status.BEHIND, List.of()),
            new LogTail.Reply("orders", 9, LogTail.Status.TOO_LARGE, List.of()),
            new LogTail.Reply("orders", 9, LogTail.Status.NOT_WRITER, List.of()),
            new LogTail.Reply("orders", 9, LogTail.Status.BUSY, List.of()),
            new LogTail.Reply("orders", 9, LogTail.Status.REFUSED, List.of()))) {
      assertThat(ControlCodecTest.roundTrip(m)).isEqualTo(m);
    }
    // The largest reply stays within a control message.
    ByteBuf largest =
        body(
            new LogTail.Reply(
                "a".repeat(123),
                Long.MAX_VALUE,
                LogTail.Status.RECORDS,
                records(1, LogTail.MAX_BYTES)));
    assertThat(largest.readableBytes()).isLessThanOrEqualTo(WireProtocol.MAX_CONTROL_BYTES);
    largest.release();
  }

  @Test
  void repliesOverTheirBounds_areRefusedNamingTheBound() {
    assertRefused(
        new LogTail.Reply("orders", 0, LogTail.Status.RECORDS, records(LogTail.MAX_RECORDS + 1, 0)),
        "log tail record count = 4097 is out of range (max 4096)");
    assertRefused(
        new LogTail.Reply(
            "orders", 0, LogTail.Status.RECORDS, records(2, LogTail.MAX_BYTES / 2 + 1)),
        "log tail records exceed 786432 bytes");
    assertRefused(
        new LogTail.Reply("orders", 0, LogTail.Status.RECORDS, records(1, LogTail.MAX_BYTES + 1)),
        "log tail records exceed 786432 bytes");
    assertRefused(
        new LogTail.Request("x".repeat(LogTail.MAX_NAME_BYTES + 1), 0, 0),
        "log name length = 513 is out of range (max 512)");
    assertRefused(
        new LogTail.Request("orders", 0, LogTail.MAX_WAIT_MILLIS + 1),
        "log tail wait = 30001 ms is out of range (0..30000)");
    assertRefused(new LogTail.Request("orders", -1, 0), "log offset = -1 is negative");
    assertThat(LogSegment.MAX_RECORD_BYTES).isGreaterThan(LogTail.MAX_BYTES);
  }

  @Test
  void aStatusByteOutOfRange_orRecordsWithARefusal_areRefused() {
    ByteBuf frame = body(new LogTail.Reply("o", 0, LogTail.Status.BUSY, List.of()));
    // kind, registration id, name length, name, offset, then the status
    int at = frame.readerIndex() + 5;
    assertThat(frame.getByte(at)).isEqualTo((byte) 5);
    frame.setByte(at, 7);
    assertThatThrownBy(() -> ControlCodec.decode(frame))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("unknown log tail status 7");
    frame.release();
    ByteBuf withRecords = body(new LogTail.Reply("o", 0, LogTail.Status.BUSY, List.of()));
    withRecords.setByte(withRecords.readerIndex() + 6, 1); // one record of no bytes follows
    withRecords.writeByte(0);
    assertThatThrownBy(() -> ControlCodec.decode(withRecords))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("a log tail reply of status BUSY has records");
    withRecords.release();
  }

  @Test
  void truncatedReply_isRefused() {
    assertEveryPrefixRefused(new LogTail.Reply("orders", 3, LogTail.Status.RECORDS, records(2, 5)));
  }
}
