package io.shoal.chunkstore.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a publication history trusts, and how much it holds. */
class PublishHistoryTest {
  private static final ChunkId ROOT = HashAlgorithm.XXH128.hash(new byte[] {1});
  private static final long STARTED_MILLIS = 1_700_000_000_000L;

  /** {@code n} files of 10 bytes each, stamped as modified {@code agoMillis} before the start. */
  private static void record(PublishHistory h, String name, int n, long agoMillis) {
    List<FileEntry> entries = new ArrayList<>();
    List<FileStamp> stamps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      entries.add(new FileEntry("f" + i, false, 0644, 10, 10L * i));
      stamps.add(stamp(i, agoMillis));
    }
    h.record(name, ROOT, STARTED_MILLIS, entries, stamps);
  }

  private static FileStamp stamp(int inode, long agoMillis) {
    return new FileStamp(10, (STARTED_MILLIS - agoMillis) * 1_000_000, 1, inode);
  }

  @Test
  void aFileIsTrustedOnlyWithItsWholeStamp_settledBeforeThePublication() {
    PublishHistory h = new PublishHistory(4, 100);
    record(h, "settled", 2, 5_000);
    record(h, "fresh", 2, 500);
    PublishHistory.Entry settled = h.latest("settled").orElseThrow();

    assertThat(settled.unchanged("f1", stamp(1, 5_000))).map(p -> p.dataOffset()).contains(10L);
    assertThat(settled.unchanged("f1", stamp(7, 5_000))).as("another inode").isEmpty();
    assertThat(settled.unchanged("f1", stamp(1, 4_999))).as("another time").isEmpty();
    assertThat(settled.unchanged("f9", stamp(1, 5_000))).as("another path").isEmpty();
    assertThat(h.latest("fresh").orElseThrow().unchanged("f1", stamp(1, 500)))
        .as("modified within a second of the earlier start")
        .isEmpty();
  }

  @Test
  void namesAndFilesAreBounded_leastRecentlyPublishedDroppedFirst() {
    PublishHistory h = new PublishHistory(2, 10);
    record(h, "a", 3, 5_000);
    record(h, "b", 3, 5_000);
    record(h, "c", 3, 5_000);
    assertThat(h.latest("a")).isEmpty();
    assertThat(h.files()).isEqualTo(6);

    record(h, "d", 8, 5_000);
    assertThat(h.latest("b")).isEmpty();
    assertThat(h.latest("c")).isEmpty();
    assertThat(h.latest("d")).isPresent();
    assertThat(h.files()).isEqualTo(8);

    record(h, "d", 11, 5_000);
    assertThat(h.latest("d")).as("more files than the whole bound").isEmpty();
    assertThat(h.files()).isZero();
  }

  @Test
  void none_remembersNothing() {
    PublishHistory h = PublishHistory.none();
    record(h, "a", 1, 5_000);
    assertThat(h.latest("a")).isEmpty();
  }
}
