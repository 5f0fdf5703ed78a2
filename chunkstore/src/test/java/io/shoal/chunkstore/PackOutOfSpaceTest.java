package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Telling a full disk from other write errors by the free space, never by the message. */
class PackOutOfSpaceTest {
  private static final long WANT = 64 * 1024;

  @Test
  void outOfSpaceOr_noRoomAndAForeignMessage_isStoreFull() {
    IOException e = new IOException("Il n'y a plus d'espace disponible sur le périphérique");
    IOException reported = Pack.outOfSpaceOr(e, WANT, 4096, "disk full while writing x");
    assertThat(reported)
        .isInstanceOf(StoreFullException.class)
        .hasMessage("disk full while writing x")
        .hasCause(e);
  }

  @Test
  void outOfSpaceOr_roomLeft_isTheOriginalError() {
    IOException e = new IOException("No space left on device");
    long room = WANT + Pack.DISK_FULL_SLACK_BYTES;
    assertThat(Pack.outOfSpaceOr(e, WANT, room, "disk full")).isSameAs(e);
  }

  @Test
  void outOfSpaceOr_freeSpaceUnknown_isTheOriginalError() {
    IOException e = new IOException("Input/output error");
    assertThat(Pack.outOfSpaceOr(e, WANT, -1, "disk full")).isSameAs(e);
  }

  @Test
  void outOfSpaceOr_lessThanTheSlackBeyondTheWrite_isStoreFull() {
    IOException e = new IOException("?");
    long room = WANT + Pack.DISK_FULL_SLACK_BYTES - 1;
    assertThat(Pack.outOfSpaceOr(e, WANT, room, "disk full"))
        .isInstanceOf(StoreFullException.class);
  }
}
