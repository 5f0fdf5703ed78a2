package io.shoal.chunkstore.log;

import static io.shoal.chunkstore.log.LogSegmentTest.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.chunkstore.FormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A change log on disk: offsets, sealing, reading across segments, and recovery from crashes. */
class ChangeLogTest {
  static final ChangeLog.Options SMALL = new ChangeLog.Options(64, Duration.ofSeconds(10));
  static final long SECOND = 1_000_000_000L;

  @TempDir Path dir;

  private ChangeLog open(ChangeLog.Options options) throws IOException {
    return ChangeLog.open(dir, "orders", options, 0);
  }

  private static List<String> texts(List<LogRecord> read) {
    List<String> out = new ArrayList<>();
    for (LogRecord r : read) {
      out.add(r.offset() + ":" + new String(r.data(), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static List<String> numbered(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(i + ":record-" + i);
    }
    return out;
  }

  private static void appendNumbered(ChangeLog log, int from, int to) throws IOException {
    for (int i = from; i < to; i++) {
      assertThat(log.append(records("record-" + i), 0)).isEqualTo(i);
    }
  }

  private long segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".seg")).count();
    }
  }

  @Test
  void append_givesConsecutiveOffsets_sealsBySize_andReadsAcrossSegmentsAndTheOpenPart()
      throws Exception {
    try (ChangeLog log = open(SMALL)) {
      appendNumbered(log, 0, 40);

      assertThat(log.sealed()).hasSizeGreaterThan(3);
      assertThat(log.endOffset()).isEqualTo(40);
      assertThat(texts(log.read(0, 100))).isEqualTo(numbered(0, 40));
      assertThat(texts(log.read(17, 5))).isEqualTo(numbered(17, 22));
      assertThat(texts(log.read(39, 5))).isEqualTo(numbered(39, 40));
      assertThat(log.read(40, 5)).isEmpty();
      long end = -1;
      for (SegmentRef r : log.sealed()) {
        assertThat(end < 0 || r.firstOffset() == end).as("contiguous").isTrue();
        end = r.endOffset();
        assertThat(log.segment(r.id()).orElseThrow().firstOffset()).isEqualTo(r.firstOffset());
      }
      assertThat(log.sealedOffset()).isEqualTo(end);
    }
    try (ChangeLog again = open(SMALL)) {
      assertThat(texts(again.read(0, 100))).isEqualTo(numbered(0, 40));
      assertThat(again.append(records("record-40"), 0)).isEqualTo(40);
    }
  }

  @Test
  void recentFrom_coversTheOpenRecordsAndTheNewestSegmentsThatFitWhole() throws Exception {
    try (ChangeLog log = open(SMALL)) {
      assertThat(log.recentFrom(0)).as("an empty log").isZero();
      appendNumbered(log, 0, 40);
      List<SegmentRef> sealed = log.sealed();
      SegmentRef newest = sealed.get(sealed.size() - 1);
      SegmentRef before = sealed.get(sealed.size() - 2);

      assertThat(log.recentFrom(0))
          .as("the newest segment at least")
          .isEqualTo(newest.firstOffset());
      long open = 0;
      for (LogRecord r : log.read(log.sealedOffset(), 100)) {
        open += LogSegment.recordCost(r.data().length);
      }
      assertThat(log.recentFrom(open + newest.bytes() + before.bytes()))
          .isEqualTo(before.firstOffset());
      assertThat(log.recentFrom(open + newest.bytes() + before.bytes() - 1))
          .isEqualTo(newest.firstOffset());
      assertThat(log.recentFrom(Long.MAX_VALUE)).isZero();
    }
  }

  @Test
  void sealIfDue_sealsTheOpenPartOnceItIsOldEnough() throws Exception {
    try (ChangeLog log = ChangeLog.open(dir, "orders", ChangeLog.Options.defaults(), 0)) {
      log.append(records("a", "b"), 0);
      assertThat(log.sealIfDue(9 * SECOND)).isFalse();
      assertThat(log.sealIfDue(10 * SECOND)).isTrue();

      assertThat(log.sealed())
          .singleElement()
          .satisfies(r -> assertThat(r.endOffset()).isEqualTo(2));
      assertThat(log.sealIfDue(30 * SECOND)).as("nothing open").isFalse();
    }
  }

  @Test
  void aTornJournalTail_isCut_wholeRecordsKept_andAppendingGoesOn() throws Exception {
    try (ChangeLog log = open(ChangeLog.Options.defaults())) {
      appendNumbered(log, 0, 5);
    }
    Path journal = dir.resolve(ChangeLog.JOURNAL);
    long size = Files.size(journal);
    try (var ch = java.nio.channels.FileChannel.open(journal, StandardOpenOption.WRITE)) {
      ch.truncate(size - 3); // the last frame torn
    }
    Files.write(journal, new byte[] {1, 2, 3}, StandardOpenOption.APPEND); // and garbage after it

    try (ChangeLog log = open(ChangeLog.Options.defaults())) {
      assertThat(texts(log.read(0, 100))).isEqualTo(numbered(0, 4));
      assertThat(log.append(records("record-4"), 0)).isEqualTo(4);
    }
    try (ChangeLog log = open(ChangeLog.Options.defaults())) {
      assertThat(texts(log.read(0, 100))).isEqualTo(numbered(0, 5));
    }
  }

  @Test
  void aCrashAfterSealingButBeforeTheJournalWasReplaced_keepsEachRecordOnce() throws Exception {
    Path journal = dir.resolve(ChangeLog.JOURNAL);
    byte[] before;
    try (ChangeLog log = open(ChangeLog.Options.defaults())) {
      appendNumbered(log, 0, 6);
      before = Files.readAllBytes(journal);
      log.seal(0);
    }
    Files.write(journal, before); // as if the crash came between the two writes

    try (ChangeLog log = open(ChangeLog.Options.defaults())) {
      assertThat(texts(log.read(0, 100))).isEqualTo(numbered(0, 6));
      assertThat(log.append(records("record-6"), 0)).isEqualTo(6);
    }
    try (ChangeLog log = open(ChangeLog.Options.defaults())) {
      assertThat(texts(log.read(0, 100))).isEqualTo(numbered(0, 7));
    }
  }

  @Test
  void aSegmentWhoseBytesDoNotMatchItsName_isRefusedWithOneClearError() throws Exception {
    try (ChangeLog log = open(SMALL)) {
      appendNumbered(log, 0, 20);
    }
    Path seg;
    try (Stream<Path> files = Files.list(dir)) {
      seg = files.filter(f -> f.toString().endsWith(".seg")).sorted().findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(seg);
    bytes[bytes.length - 1] ^= 0x40;
    Files.write(seg, bytes);

    assertThatThrownBy(() -> open(SMALL))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(seg.getFileName().toString())
        .hasMessageContaining("does not match its id");
  }

  @Test
  void dropBefore_deletesWholeSegmentsOnly_andReadsBeforeTheStartAreRefused() throws Exception {
    try (ChangeLog log = open(SMALL)) {
      appendNumbered(log, 0, 40);
      long files = segmentFiles();
      SegmentRef second = log.sealed().get(1);

      int dropped = log.dropBefore(second.firstOffset() + 1);

      assertThat(dropped).isOne();
      assertThat(segmentFiles()).isEqualTo(files - 1);
      assertThat(log.startOffset()).isEqualTo(second.firstOffset());
      assertThatThrownBy(() -> log.read(0, 10))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("holds records from offset " + second.firstOffset());
      assertThat(texts(log.read(second.firstOffset(), 100)))
          .isEqualTo(numbered((int) second.firstOffset(), 40));
    }
    try (ChangeLog log = open(SMALL)) {
      assertThat(log.endOffset()).isEqualTo(40);
      assertThat(log.append(records("record-40"), 0)).isEqualTo(40);
    }
  }

  @Test
  void append_refusesNothing_aRecordTooLarge_andMoreThanOneSegmentAtOnce() throws Exception {
    try (ChangeLog log = open(ChangeLog.Options.defaults())) {
      assertThatThrownBy(() -> log.append(List.of(), 0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> log.append(List.of(new byte[LogSegment.MAX_RECORD_BYTES + 1]), 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("exceeds");
      List<byte[]> four = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        four.add(new byte[LogSegment.MAX_RECORD_BYTES]);
      }
      assertThatThrownBy(() -> log.append(four, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("more than one append takes");
      assertThat(log.endOffset()).as("nothing taken").isZero();
      assertThat(log.append(List.of(new byte[LogSegment.MAX_RECORD_BYTES]), 0)).isZero();
      assertThat(log.append(List.of(new byte[LogSegment.MAX_RECORD_BYTES]), 0)).isOne();
    }
  }

  @Test
  void open_refusesAJournalLargerThanAnyJournal_beforeReadingIt() throws Exception {
    try (ChangeLog log = open(ChangeLog.Options.defaults())) {
      log.append(records("a"), 0);
    }
    Path journal = dir.resolve(ChangeLog.JOURNAL);
    try (var ch = java.nio.channels.FileChannel.open(journal, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[1]), LogJournal.MAX_JOURNAL_BYTES); // sparse
    }

    assertThatThrownBy(() -> open(ChangeLog.Options.defaults()))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("more than any journal");
  }

  @Test
  void open_refusesAJournalOfAnotherLog_andABadName() throws Exception {
    try (ChangeLog log = open(ChangeLog.Options.defaults())) {
      log.append(records("a"), 0);
    }
    assertThatThrownBy(() -> ChangeLog.open(dir, "other", ChangeLog.Options.defaults(), 0))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("holds log 'orders'");
    assertThatThrownBy(() -> ChangeLog.open(dir, "../x", ChangeLog.Options.defaults(), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void adopt_takesAnotherNodesSegmentsInOrder_andSurvivesACrashBeforeTheJournal() throws Exception {
    Path writerDir = dir.resolve("writer");
    List<LogSegment> segments = new ArrayList<>();
    try (ChangeLog writer = ChangeLog.open(writerDir, "orders", SMALL, 0)) {
      appendNumbered(writer, 0, 40);
      writer.seal(0);
      for (SegmentRef r : writer.sealed()) {
        segments.add(writer.segment(r.id()).orElseThrow());
      }
    }
    assertThat(segments).hasSizeGreaterThan(3);
    Path replicaDir = dir.resolve("replica");
    try (ChangeLog replica = ChangeLog.open(replicaDir, "orders", SMALL, 0)) {
      // A writer that dropped its first segment: the replica starts where the rest starts.
      long start = segments.get(1).firstOffset();
      assertThat(replica.adopt(segments.get(1), 0)).isTrue();
      assertThat(replica.adopt(segments.get(1), 0)).as("held already").isFalse();
      assertThatThrownBy(() -> replica.adopt(segments.get(3), 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not follow");
      assertThat(replica.adopt(segments.get(2), 0)).isTrue();
      assertThat(replica.startOffset()).isEqualTo(start);
      assertThat(texts(replica.read(start, 100)))
          .isEqualTo(numbered((int) start, (int) segments.get(2).endOffset()));
      LogSegment foreign = LogSegment.seal("other", replica.endOffset(), records("x"));
      assertThatThrownBy(() -> replica.adopt(foreign, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("log other");
    }
    // A crash between writing an adopted segment and replacing the journal: the old, empty
    // journal names an offset the segments have passed.
    long end = segments.get(2).endOffset();
    Files.delete(replicaDir.resolve(ChangeLog.JOURNAL));
    LogJournal.create(
            replicaDir.resolve(ChangeLog.JOURNAL),
            "orders",
            segments.get(2).firstOffset(),
            List.of())
        .close();
    try (ChangeLog replica = ChangeLog.open(replicaDir, "orders", SMALL, 0)) {
      assertThat(replica.append(records("after"), 0)).isEqualTo(end);
    }
    try (ChangeLog replica = ChangeLog.open(replicaDir, "orders", SMALL, 0)) {
      assertThat(texts(replica.read(end, 10))).containsExactly(end + ":after");
    }
  }
}
