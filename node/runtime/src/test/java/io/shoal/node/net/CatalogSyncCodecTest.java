package io.shoal.node.net;

import static io.shoal.node.net.CodecBodies.assertEveryPrefixRefused;
import static io.shoal.node.net.CodecBodies.assertRefused;
import static io.shoal.node.net.CodecBodies.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.shoal.node.core.membership.CatalogSyncPage;
import io.shoal.node.core.membership.CatalogSyncRequest;
import io.shoal.node.core.membership.ViewCatalogs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogSyncCodecTest {
  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed + i);
    }
    return b;
  }

  static List<byte[]> payloads(int count, int length) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(bytes(length, i));
    }
    return out;
  }

  /** Records with arrays compare by identity: compare their contents instead. */
  static String describe(CatalogSyncPage p) {
    return p.payloads().stream().map(Arrays::toString).toList()
        + " next "
        + Arrays.toString(p.next());
  }

  @Test
  void requests_roundTrip_emptyAndLongestCursor() {
    for (byte[] cursor : List.of(new byte[0], bytes(CatalogSyncRequest.MAX_CURSOR_BYTES, 3))) {
      CatalogSyncRequest r =
          (CatalogSyncRequest) ControlCodecTest.roundTrip(new CatalogSyncRequest(cursor));
      assertThat(r.cursor()).isEqualTo(cursor);
    }
  }

  @Test
  void pages_roundTrip_emptyLastAndLargest() {
    for (CatalogSyncPage p :
        List.of(
            new CatalogSyncPage(List.of(), new byte[0]),
            new CatalogSyncPage(payloads(3, 17), bytes(20, 1)),
            new CatalogSyncPage(
                payloads(CatalogSyncPage.MAX_PAYLOADS, ViewCatalogs.MAX_PAYLOAD_BYTES),
                bytes(CatalogSyncRequest.MAX_CURSOR_BYTES, 9)))) {
      assertThat(describe((CatalogSyncPage) ControlCodecTest.roundTrip(p))).isEqualTo(describe(p));
    }
  }

  @Test
  void overlongCursor_isRefusedNamingTheField() {
    byte[] longer = new byte[CatalogSyncRequest.MAX_CURSOR_BYTES + 1];
    assertRefused(
        new CatalogSyncRequest(longer), "sync cursor length = 148 is out of range (max 147)");
    assertRefused(
        new CatalogSyncPage(List.of(), longer),
        "sync page next cursor length = 148 is out of range (max 147)");
  }

  @Test
  void pageOverItsPayloadBounds_isRefused() {
    assertRefused(
        new CatalogSyncPage(payloads(CatalogSyncPage.MAX_PAYLOADS + 1, 1), new byte[0]),
        "sync page payload count = 81 is out of range (0..80)");
    assertRefused(
        new CatalogSyncPage(payloads(1, ViewCatalogs.MAX_PAYLOAD_BYTES + 1), new byte[0]),
        "sync page payload length = 1025 is out of range (max 1024)");
  }

  @Test
  void lengthPastTheBytesLeft_isRefusedBeforeAllocating() {
    ByteBuf frame = body(new CatalogSyncPage(payloads(1, 10), new byte[0]));
    // the first payload's length (after the kind, the registration id and the count): 1000 bytes
    int at = frame.readerIndex() + 3;
    assertThat(frame.getByte(at)).isEqualTo((byte) 10);
    frame.setByte(at, 0xe8);
    frame.setByte(at + 1, 0x07);
    assertThatThrownBy(() -> ControlCodec.decode(frame))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("sync page payload length = 1000 but only");
    frame.release();
  }

  @Test
  void truncatedPage_isRefused() {
    assertEveryPrefixRefused(new CatalogSyncPage(payloads(2, 5), bytes(4, 0)));
  }
}
