package io.shoal.chunkstore.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.FormatWriter;
import io.shoal.chunkstore.HashAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The sealed segment's encoding: round trip, its id, and every malformed input refused. */
class LogSegmentTest {
  static List<byte[]> records(String... texts) {
    List<byte[]> out = new ArrayList<>();
    for (String t : texts) {
      out.add(t.getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void seal_thenDecode_givesTheSameRecordsOffsetsAndId() throws Exception {
    LogSegment s = LogSegment.seal("orders", 42, records("a", "", "ccc"));

    LogSegment back = LogSegment.decode(s.encoded(), s.id());

    assertThat(back.name()).isEqualTo("orders");
    assertThat(back.firstOffset()).isEqualTo(42);
    assertThat(back.endOffset()).isEqualTo(45);
    assertThat(back.records()).containsExactlyElementsOf(s.records());
    assertThat(back.id()).isEqualTo(HashAlgorithm.XXH128.hash(s.encoded()));
    assertThat(s.encodedLength())
        .isEqualTo(LogSegment.encodedSize("orders", records("a", "", "ccc")));
  }

  @Test
  void decode_refusesBytesThatDoNotMatchTheId() {
    LogSegment s = LogSegment.seal("orders", 0, records("a", "b"));
    byte[] bytes = s.encoded();
    bytes[bytes.length - 1] ^= 1;

    assertThatThrownBy(() -> LogSegment.decode(bytes, s.id()))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("does not match its id");
  }

  @Test
  void decode_refusesAnUnknownVersion_trailingBytes_zeroRecords_andALengthPastTheBound() {
    byte[] v2 = LogSegment.seal("orders", 0, records("a")).encoded();
    v2[4] = 2;
    assertThatThrownBy(() -> LogSegment.decode(v2, null))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("format version 2 is not supported");

    byte[] ok = LogSegment.seal("orders", 0, records("a")).encoded();
    byte[] trailing = Arrays.copyOf(ok, ok.length + 1);
    assertThatThrownBy(() -> LogSegment.decode(trailing, null)).isInstanceOf(FormatException.class);

    byte[] empty =
        new FormatWriter(32)
            .u32(LogSegment.MAGIC)
            .u8(1)
            .utf8u16("orders")
            .u64(0)
            .u32(0)
            .toByteArray();
    assertThatThrownBy(() -> LogSegment.decode(empty, null))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("at least one record");

    byte[] huge =
        new FormatWriter(32)
            .u32(LogSegment.MAGIC)
            .u8(1)
            .utf8u16("orders")
            .u64(0)
            .u32(1)
            .varint(LogSegment.MAX_RECORD_BYTES + 1L)
            .toByteArray();
    assertThatThrownBy(() -> LogSegment.decode(huge, null))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("record length");

    byte[] badName =
        new FormatWriter(32)
            .u32(LogSegment.MAGIC)
            .u8(1)
            .utf8u16("../x")
            .u64(0)
            .u32(1)
            .varint(0)
            .toByteArray();
    assertThatThrownBy(() -> LogSegment.decode(badName, null))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("bad log name");
  }

  @Test
  void seal_refusesNoRecords_aRecordTooLarge_andASegmentTooLarge() {
    assertThatThrownBy(() -> LogSegment.seal("orders", 0, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> LogSegment.seal("orders", 0, List.of(new byte[LogSegment.MAX_RECORD_BYTES + 1])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds");
    List<byte[]> four = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      four.add(new byte[LogSegment.MAX_RECORD_BYTES]);
    }
    assertThatThrownBy(() -> LogSegment.seal("orders", 0, four))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("segment of");
  }

  @Property(tries = 300)
  void decode_ofAnyBytes_returnsOrThrowsFormatException(@ForAll byte[] bytes) {
    try {
      LogSegment.decode(bytes, null);
    } catch (FormatException expected) {
      // the one way malformed input ends
    }
  }

  @Property(tries = 200)
  void decode_ofAValidSegmentCutShort_throwsFormatException(@ForAll("cuts") int cut) {
    byte[] ok = LogSegment.seal("orders", 7, records("alpha", "beta", "gamma")).encoded();
    int at = Math.floorMod(cut, ok.length);
    assertThatThrownBy(() -> LogSegment.decode(Arrays.copyOf(ok, at), null))
        .isInstanceOf(FormatException.class);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Integer> cuts() {
    return net.jqwik.api.Arbitraries.integers();
  }
}
