package io.shoal.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.node.api.LogBatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records streamed ahead of a replica's segments: which of a reply are kept, and the bounds. */
class ReplicaTailsTest {
  @TempDir Path dir;

  private static List<byte[]> records(int from, int to) {
    List<byte[]> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(("r" + i).getBytes(UTF_8));
    }
    return out;
  }

  private static List<String> read(ReplicaTails tails, ChangeLog l, long from) throws Exception {
    List<String> out = new ArrayList<>();
    for (LogBatch.Entry e : tails.batch(l, from, 100).records()) {
      out.add(e.offset() + ":" + new String(e.data(), UTF_8));
    }
    return out;
  }

  private ChangeLog log() throws Exception {
    ChangeLog l =
        ChangeLog.open(dir, "orders", new ChangeLog.Options(1 << 20, Duration.ofHours(1)), 0);
    l.append(records(0, 3), 0);
    return l;
  }

  @Test
  void aReplyOverlappingWhatTheReplicaHolds_keepsOnlyWhatIsPastItsEnd() throws Exception {
    ReplicaTails tails = new ReplicaTails();
    try (ChangeLog l = log()) {
      assertThat(tails.offer(l, 3, records(3, 5))).isEqualTo(2);
      assertThat(tails.end(l)).isEqualTo(5);
      // From 1: records 1..4 are held already (sealed or streamed); 5 and 6 are new.
      assertThat(tails.offer(l, 1, records(1, 7))).isEqualTo(2);
      assertThat(tails.end(l)).isEqualTo(7);
      // Wholly held already: nothing is added, and the replica holds all of it.
      assertThat(tails.offer(l, 4, records(4, 6))).isZero();
      assertThat(tails.end(l)).isEqualTo(7);
      assertThat(read(tails, l, 3)).containsExactly("3:r3", "4:r4", "5:r5", "6:r6");
      assertThat(tails.bytes()).isEqualTo(8);
    }
  }

  @Test
  void aReplyThatDoesNotContinueTheReplica_isNotKept() throws Exception {
    ReplicaTails tails = new ReplicaTails();
    try (ChangeLog l = log()) {
      assertThat(tails.offer(l, 4, records(4, 6))).as("a gap at 3").isZero();
      assertThat(tails.offer(l, 3, List.of())).isZero();
      assertThat(tails.end(l)).isEqualTo(3);
      assertThat(tails.bytes()).isZero();
    }
  }

  @Test
  void aLogKeepsAtMostOneSegmentStreamed_andTheRestWaitsForItsSegments() throws Exception {
    ReplicaTails tails = new ReplicaTails();
    try (ChangeLog l = log()) {
      List<byte[]> big = new ArrayList<>();
      int each = 256 << 10;
      long n = ReplicaTails.MAX_BYTES_PER_LOG / each + 2;
      for (int i = 0; i < n; i++) {
        big.add(new byte[each]);
      }
      int held = tails.offer(l, 3, big);
      assertThat(held).isEqualTo((int) (ReplicaTails.MAX_BYTES_PER_LOG / each));
      assertThat(tails.hasRoom("orders")).isEqualTo(tails.bytes() < ReplicaTails.MAX_BYTES_PER_LOG);
      assertThat(tails.bytes()).isLessThanOrEqualTo(ReplicaTails.MAX_BYTES_PER_LOG);
      tails.drop("orders");
      assertThat(tails.bytes()).isZero();
      assertThat(tails.end(l)).isEqualTo(3);
    }
  }
}
