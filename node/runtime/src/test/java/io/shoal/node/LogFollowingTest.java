package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.chunkstore.log.SegmentRef;
import io.shoal.chunkstore.snapshot.FileEntry;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.chunkstore.snapshot.FileTable;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which segments of a change log's published snapshot a follower picks. */
class LogFollowingTest {
  /** A published log of segments starting at these offsets, 10 records each. */
  private static FileTable log(long... firsts) throws Exception {
    List<FileEntry> files = new ArrayList<>();
    for (long first : firsts) {
      var id =
          HashAlgorithm.XXH128.hash(
              Long.toString(first).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      files.add(
          new FileEntry(
              ChangeLog.segmentFileName(new SegmentRef(first, first + 10, id, 100)),
              false,
              0644,
              100,
              0));
    }
    return FileTable.of(files);
  }

  private static List<Long> firsts(List<FileEntry> picked) {
    return picked.stream()
        .map(f -> ChangeLog.parseSegmentFileName(f.path()).orElseThrow().firstOffset())
        .toList();
  }

  @Test
  void aReplicaThatContinuesTheLog_takesTheSegmentsFromWhereItEnds() throws Exception {
    FileTable t = log(20, 30, 40, 50);
    assertThat(firsts(LogFollowing.lacking(t, 40, 45))).containsExactly(40L, 50L);
    assertThat(firsts(LogFollowing.lacking(t, 30, SnapshotRoot.NO_LOG_OFFSET)))
        .containsExactly(30L, 40L, 50L);
    assertThat(firsts(LogFollowing.lacking(t, 20, 45))).as("behind its snapshot").hasSize(4);
  }

  @Test
  void aReplicaThatDoesNotContinueIt_takesTheSegmentsFromTheOneHoldingTheSnapshotsOffset()
      throws Exception {
    FileTable t = log(20, 30, 40, 50);
    assertThat(firsts(LogFollowing.lacking(t, 10, 45))).containsExactly(40L, 50L);
    assertThat(firsts(LogFollowing.lacking(t, 10, 40))).containsExactly(40L, 50L);
    assertThat(firsts(LogFollowing.lacking(t, -1, 59))).as("no replica").containsExactly(50L);
    assertThat(firsts(LogFollowing.lacking(t, 12, 35))).containsExactly(30L, 40L, 50L);
  }

  @Test
  void withoutAnOffsetToGoBy_orWithOneBeforeTheLog_orFilesThatAreNotSegments_itTakesAll()
      throws Exception {
    FileTable t = log(20, 30, 40);
    assertThat(LogFollowing.lacking(t, 10, SnapshotRoot.NO_LOG_OFFSET)).hasSize(3);
    assertThat(LogFollowing.lacking(t, 10, 5)).as("the snapshot is older than the log").hasSize(3);
    FileTable odd =
        FileTable.of(
            List.of(
                new FileEntry("notes.txt", false, 0644, 1, 0),
                new FileEntry(t.entries().get(0).path(), false, 0644, 100, 0)));
    assertThat(LogFollowing.lacking(odd, 10, 25)).hasSize(2);
  }

  @Test
  void aChosenSelection_takesWhatItsChooserPicks_andIsEqualByItsLabel() throws Exception {
    FileTable t = log(20, 30, 40);
    FileSelection s =
        FileSelection.chosen("the last two", table -> LogFollowing.lacking(table, 0, 30));
    assertThat(s.isAll()).isFalse();
    assertThat(firsts(s.select(t, "_log.kv@50").entries())).containsExactly(30L, 40L);
    assertThat(s).isEqualTo(FileSelection.chosen("the last two", table -> List.of()));
    assertThat(s).isNotEqualTo(FileSelection.chosen("another", table -> List.of()));
    assertThat(s.toString()).isEqualTo("the last two");
  }
}
