package io.shoal.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.chunkstore.log.SegmentRef;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.gossip.NodeId;
import io.shoal.node.api.LogBatch;
import io.shoal.node.api.LogInfo;
import io.shoal.node.api.PublishCall;
import io.shoal.node.net.ConflictException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Change logs replicated between real secured nodes on loopback. */
class LogReplicationTest {
  /** Small segments, sealed quickly, so that a test makes many. */
  static final ChangeLog.Options SMALL = new ChangeLog.Options(64 << 10, Duration.ofMillis(200));

  @TempDir Path tmp;
  private TestSwarm swarm;

  @BeforeEach
  void swarm() {
    swarm = new TestSwarm(tmp);
  }

  @AfterEach
  void stop() {
    swarm.close();
  }

  private NodeConfig config(String name) {
    // Uncompressed, so that the bytes received are the chunk bytes moved.
    return swarm.config(name).toBuilder().logs(SMALL).build().withCompression(false);
  }

  private static void appendRecords(ShoalNode n, String log, int from, int to) throws Exception {
    for (int i = from; i < to; i += 100) {
      List<byte[]> batch = new ArrayList<>();
      for (int j = i; j < Math.min(to, i + 100); j++) {
        batch.add(record(j));
      }
      n.logs().append(log, batch);
    }
  }

  private static byte[] record(int i) {
    return ("record " + i + " " + "x".repeat(i % 97)).getBytes(UTF_8);
  }

  private static List<String> readAll(ShoalNode n, String log, long from) {
    List<String> out = new ArrayList<>();
    long next = from;
    while (true) {
      LogBatch b = n.logs().read(log, next, 10_000, Duration.ZERO).join();
      b.records().forEach(r -> out.add(r.offset() + ":" + new String(r.data(), UTF_8)));
      if (b.next() >= b.end()) {
        return out;
      }
      next = b.next();
    }
  }

  private static LogInfo info(ShoalNode n, String log) {
    return n.logs().list().stream().filter(i -> i.name().equals(log)).findFirst().orElse(null);
  }

  @Test
  void follower_replicatesTheSealedSegments_byteForByte_andRefusesAppends() throws Exception {
    ShoalNode writer = swarm.start(config("w"));
    ShoalNode follower =
        swarm.start(
            config("f").withSeeds(List.of(writer.peerAddress())).withFollow(List.of("orders")));
    appendRecords(writer, "orders", 0, 3000);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> info(follower, "orders") != null && info(follower, "orders").end() == 3000);
    assertThat(readAll(follower, "orders", 0)).isEqualTo(readAll(writer, "orders", 0));
    assertThat(info(follower, "orders").segments()).isGreaterThan(1);

    // A reader ahead of the replica (its state came from a newer snapshot) waits for the records.
    assertThat(follower.logs().read("orders", 3050, 10, Duration.ZERO).join().records()).isEmpty();
    var ahead = follower.logs().read("orders", 3050, 10, Duration.ofSeconds(30));
    appendRecords(writer, "orders", 3000, 3100);
    assertThat(ahead.get(60, java.util.concurrent.TimeUnit.SECONDS).records())
        .extracting(LogBatch.Entry::offset)
        .startsWith(3050L);

    assertThatThrownBy(() -> follower.logs().append("orders", List.of(record(0))))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("is written by node " + writer.id().toHex().substring(0, 12));
    assertThatThrownBy(
            () -> writer.publish(new PublishCall("_log.orders", tmp.toString(), null, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("carry change logs");
  }

  @Test
  void followerThatWasDown_catchesUp_movingOnlyTheMissingSegments() throws Exception {
    ShoalNode writer = swarm.start(config("w"));
    NodeConfig fc =
        config("f").withSeeds(List.of(writer.peerAddress())).withFollow(List.of("orders"));
    ShoalNode follower = swarm.start(fc);
    appendRecords(writer, "orders", 0, 20_000);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> info(follower, "orders") != null && info(follower, "orders").end() == 20_000);
    long heldBytes = info(follower, "orders").segmentBytes();
    follower.close();

    appendRecords(writer, "orders", 20_000, 60_000);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> published(writer, "orders") == 60_000); // sealed, and published
    long totalBytes = info(writer, "orders").segmentBytes();

    ShoalNode back = swarm.start(fc);
    await().atMost(Duration.ofSeconds(60)).until(() -> info(back, "orders").end() == 60_000);
    assertThat(readAll(back, "orders", 0)).isEqualTo(readAll(writer, "orders", 0));
    double moved = back.metrics().chunkReceivedBytes();
    long missing = totalBytes - heldBytes;
    // What moves beyond the missing segments: the chunk the last held segment ends in (cut at the
    // end of the older version's data, at most 256 KiB) and the snapshot's index and file table.
    assertThat(moved)
        .as("bytes received %s, segments missing %s of %s", moved, missing, totalBytes)
        .isGreaterThanOrEqualTo((double) missing)
        .isLessThan((double) (missing + (320 << 10)))
        .isLessThan((double) totalBytes);
  }

  @Test
  void aFollowerDownAcrossSnapshots_fetchesOnlyTheSegmentsFromItsNewestSnapshotsOffset()
      throws Exception {
    ShoalNode writer = swarm.start(config("w"));
    NodeConfig fc =
        config("f").withSeeds(List.of(writer.peerAddress())).withFollow(List.of("orders"));
    followUpTo10000ThenStop(writer, fc, 10_000);

    appendRecords(writer, "orders", 10_000, 25_000);
    snapshot(writer, 25_000);
    appendRecords(writer, "orders", 25_000, 35_000);
    snapshot(writer, 35_000);
    appendRecords(writer, "orders", 35_000, 40_000);
    // The writer keeps its log from the newest snapshot but one (25,000) on: the follower's
    // replica, which ends at 10,000, does not continue it.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> published(writer, "orders") == 40_000 && info(writer, "orders").start() > 10_000);
    List<SegmentRef> segments = writer.logs().ownLog("orders").sealed();
    long fromNewest = bytes(segments, r -> r.endOffset() > 35_000);
    long all = bytes(segments, r -> true);
    assertThat(all - fromNewest).as("what the old way moved more").isGreaterThan(400 << 10);

    ShoalNode back = swarm.start(fc);
    awaitEnd(back, 40_000);
    assertThat(info(back, "orders").start()).isGreaterThan(25_000).isLessThanOrEqualTo(35_000);
    assertThat(readAll(back, "orders", 35_000)).isEqualTo(readAll(writer, "orders", 35_000));
    assertReceivedOnly(back, fromNewest, "segments from 35,000; all " + all);
  }

  @Test
  void aFollowerDownAcrossOneSnapshot_skipsTheSegmentsItCovers_thoughItsReplicaContinuesTheLog()
      throws Exception {
    ShoalNode writer = swarm.start(config("w"));
    NodeConfig fc =
        config("f").withSeeds(List.of(writer.peerAddress())).withFollow(List.of("orders"));
    followUpTo10000ThenStop(writer, fc, 9_000); // it keeps the segments from the one holding 9,000

    appendRecords(writer, "orders", 10_000, 30_000);
    snapshot(writer, 30_000);
    appendRecords(writer, "orders", 30_000, 35_000);
    // The writer keeps its log from the newest snapshot but one (9,000) on: the follower's
    // replica, which ends at 10,000, continues it.
    await().atMost(Duration.ofSeconds(60)).until(() -> published(writer, "orders") == 35_000);
    List<SegmentRef> segments = writer.logs().ownLog("orders").sealed();
    assertThat(segments.get(0).firstOffset()).isLessThanOrEqualTo(9_000);
    long fromNewest = bytes(segments, r -> r.endOffset() > 30_000);
    long fromReplicaEnd = bytes(segments, r -> r.firstOffset() >= 10_000);
    assertThat(fromReplicaEnd - fromNewest)
        .as("what continuing the replica moved more")
        .isGreaterThan(400 << 10);

    ShoalNode back = swarm.start(fc);
    awaitEnd(back, 35_000);
    assertThat(info(back, "orders").start()).isGreaterThan(10_000).isLessThanOrEqualTo(30_000);
    assertThat(readAll(back, "orders", 30_000)).isEqualTo(readAll(writer, "orders", 30_000));
    assertReceivedOnly(back, fromNewest, "segments from 30,000; from 10,000 " + fromReplicaEnd);
  }

  @Test
  void aNewFollowerThatHasNotHeardOfTheSnapshot_skipsWhatTheWritersNewestSnapshotCovers()
      throws Exception {
    ShoalNode writer = swarm.start(config("w"));
    appendRecords(writer, "orders", 0, 10_000);
    snapshot(writer, 10_000);
    appendRecords(writer, "orders", 10_000, 30_000);
    snapshot(writer, 30_000);
    appendRecords(writer, "orders", 30_000, 35_000);
    await().atMost(Duration.ofSeconds(60)).until(() -> published(writer, "orders") == 35_000);
    CatalogEntry newest =
        writer.store().catalog().latest(ChangeLog.SNAPSHOT_PREFIX + "orders").orElseThrow();
    assertThat(new SnapshotReader(writer.store()).root(newest.root()).logOffset())
        .as("the log's snapshot records the offset the writer's newest snapshot covers")
        .isEqualTo(30_000);
    List<SegmentRef> segments = writer.logs().ownLog("orders").sealed();
    assertThat(segments.get(0).firstOffset()).isLessThanOrEqualTo(10_000);
    long fromNewest = bytes(segments, r -> r.endOffset() > 30_000);
    long all = bytes(segments, r -> true);
    assertThat(all - fromNewest).as("what taking all moved more").isGreaterThan(400 << 10);

    // It follows the log alone, so it never fetches the snapshot: only the log's version tells.
    ShoalNode follower =
        swarm.start(
            config("f")
                .withSeeds(List.of(writer.peerAddress()))
                .withFollow(List.of(ChangeLog.SNAPSHOT_PREFIX + "orders")));
    awaitEnd(follower, 35_000);
    assertThat(follower.store().catalog().versions("orders")).isEmpty();
    assertThat(info(follower, "orders").start()).isGreaterThan(10_000).isLessThanOrEqualTo(30_000);
    assertThat(readAll(follower, "orders", 30_000)).isEqualTo(readAll(writer, "orders", 30_000));
    assertReceivedOnly(follower, fromNewest, "segments from 30,000; all " + all);
  }

  /**
   * Starts a follower of "orders" with config {@code fc}, appends records 0-10,000 on {@code
   * writer} and publishes a snapshot covering offset {@code snapshotAt}, and stops the follower
   * once it holds both.
   */
  private void followUpTo10000ThenStop(ShoalNode writer, NodeConfig fc, long snapshotAt)
      throws Exception {
    ShoalNode follower = swarm.start(fc);
    appendRecords(writer, "orders", 0, 10_000);
    snapshot(writer, snapshotAt);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                info(follower, "orders") != null
                    && info(follower, "orders").end() == 10_000
                    && follower.store().catalog().latestComplete("orders").isPresent());
    follower.close();
  }

  private static void awaitEnd(ShoalNode n, long end) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> info(n, "orders") != null && info(n, "orders").end() == end);
  }

  private static long bytes(List<SegmentRef> segments, Predicate<SegmentRef> which) {
    return segments.stream().filter(which).mapToLong(SegmentRef::bytes).sum();
  }

  /**
   * Node {@code n} received the segments it needed, {@code needed} bytes, and beyond them only the
   * newest snapshots (a few bytes) and their indexes.
   */
  private static void assertReceivedOnly(ShoalNode n, long needed, String what) {
    double moved = n.metrics().chunkReceivedBytes();
    assertThat(moved)
        .as("bytes received %s; needed %s, the %s", moved, needed, what)
        .isGreaterThanOrEqualTo((double) needed)
        .isLessThan((double) (needed + (200 << 10)));
  }

  private void snapshot(ShoalNode writer, long offset) throws Exception {
    Path state = java.nio.file.Files.writeString(tmp.resolve("state" + offset), "after " + offset);
    writer.publish(new PublishCall("orders", state.toString(), null, null, null, null, offset));
  }

  private static long published(ShoalNode n, String log) {
    return n.store()
        .catalog()
        .latest(ChangeLog.SNAPSHOT_PREFIX + log)
        .map(e -> e.version())
        .orElse(0L);
  }

  @Test
  void aFollowRead_onTheFollower_seesRecordsOnceTheirSegmentArrives() throws Exception {
    ShoalNode writer = swarm.start(config("w"));
    ShoalNode follower =
        swarm.start(
            config("f").withSeeds(List.of(writer.peerAddress())).withFollow(List.of("orders")));
    appendRecords(writer, "orders", 0, 10);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> info(follower, "orders") != null && info(follower, "orders").end() == 10);
    var waiting = follower.logs().read("orders", 10, 100, Duration.ofSeconds(30));
    assertThat(waiting).isNotDone();
    writer.logs().append("orders", List.of(record(10)));
    LogBatch b = waiting.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(b.records()).singleElement().satisfies(r -> assertThat(r.offset()).isEqualTo(10));
  }

  @Test
  void twoWritersAcrossAPartition_theLowerIdKeepsTheLog_andEveryoneConvergesOnIt()
      throws Exception {
    ShoalNode first = swarm.start(config("a"));
    ShoalNode second = swarm.start(config("b").withSeeds(List.of(first.peerAddress())));
    ShoalNode lower = first.id().compareTo(second.id()) < 0 ? first : second;
    ShoalNode higher = lower == first ? second : first;
    ShoalNode follower =
        swarm.start(
            config("f").withSeeds(List.of(lower.peerAddress())).withFollow(List.of("orders")));
    Set<NodeId> left = Set.of(lower.id(), follower.id());
    for (ShoalNode n : List.of(first, second, follower)) {
      boolean inLeft = left.contains(n.id());
      n.setTransportFilter(from -> left.contains(from) == inLeft);
    }
    // Apart, both write the log; the node of higher id writes more, so its version wins by
    // offset, which must not decide the log.
    appendRecords(lower, "orders", 0, 500);
    for (int i = 0; i < 800; i += 100) {
      List<byte[]> batch = new ArrayList<>();
      for (int j = i; j < i + 100; j++) {
        batch.add(("other " + j).getBytes(UTF_8));
      }
      higher.logs().append("orders", batch);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> published(lower, "orders") == 500);
    await().atMost(Duration.ofSeconds(30)).until(() -> published(higher, "orders") == 800);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> info(follower, "orders") != null && info(follower, "orders").end() == 500);

    // Heal the side that will serve first: a follower whose requests reach a node still cut off
    // would count them as timeouts and ban it for a while.
    for (ShoalNode n : List.of(higher, lower, follower)) {
      n.setTransportFilter(from -> true);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> higher.logs().append("orders", List.of(record(0))))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("keeps it, and this node takes no more appends"));
    // The follower fetches the higher node's version, which wins by offset, and keeps its replica.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                follower
                    .store()
                    .catalog()
                    .get(ChangeLog.SNAPSHOT_PREFIX + "orders", 800)
                    .filter(e -> e.complete())
                    .isPresent());
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> lower.id().toHex().equals(follower.logs().writerOf("orders")));
    assertThat(info(follower, "orders").end()).isEqualTo(500);
    appendRecords(lower, "orders", 500, 1000); // the log goes on where its writer left it
    await().atMost(Duration.ofSeconds(30)).until(() -> published(lower, "orders") == 1000);
    await().atMost(Duration.ofSeconds(60)).until(() -> info(follower, "orders").end() == 1000);
    assertThat(readAll(follower, "orders", 0)).isEqualTo(readAll(lower, "orders", 0));
    assertThat(follower.logs().writerOf("orders")).isEqualTo(lower.id().toHex());

    // A node that has heard of the log's writers does not start a log of its own under the name.
    ShoalNode late = swarm.start(config("c").withSeeds(List.of(lower.peerAddress())));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                late.status().winners().stream()
                    .anyMatch(w -> w.name().equals(ChangeLog.SNAPSHOT_PREFIX + "orders")));
    assertThatThrownBy(() -> late.logs().append("orders", List.of(record(0))))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("append on that node");
    assertThat(late.logs().oneWriter().otherWriter("orders")).isEqualTo(lower.id().toHex());
    assertThat(late.logs().list()).isEmpty();
  }

  @Test
  void aSnapshotRecordsItsLogOffset_aRestoreReplaysFromIt_andSegmentsBeforeThePreviousOneGo()
      throws Exception {
    ShoalNode writer = swarm.start(config("w"));
    ShoalNode follower =
        swarm.start(
            config("f").withSeeds(List.of(writer.peerAddress())).withFollow(List.of("orders")));
    appendRecords(writer, "orders", 0, 3000);
    await().atMost(Duration.ofSeconds(30)).until(() -> published(writer, "orders") == 3000);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> info(follower, "orders") != null && info(follower, "orders").end() == 3000);
    Path old = java.nio.file.Files.writeString(tmp.resolve("old.txt"), "state after 2000");
    writer.publish(new PublishCall("orders", old.toString(), null, null, null, null, 2000L));
    // The follower fetches only the newest winner it hears of: for it to hold both snapshots, it
    // hears of the first before the second is published.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                follower.store().catalog().get("orders", 1).filter(e -> e.complete()).isPresent());
    Path state = java.nio.file.Files.writeString(tmp.resolve("state.txt"), "state after 3000");
    writer.publish(new PublishCall("orders", state.toString(), null, null, null, null, 3000L));
    appendRecords(writer, "orders", 3000, 4000);

    // Segments wholly before 2000, the offset of the newest snapshot but one, go on the writer,
    // which publishes its log without them, and on the follower once it holds both snapshots. A
    // reader less than one snapshot behind the newest (at 2000 here) keeps its place.
    await().atMost(Duration.ofSeconds(30)).until(() -> info(writer, "orders").start() > 0);
    assertThat(info(writer, "orders").start()).isLessThanOrEqualTo(2000);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> info(follower, "orders").start() > 0 && info(follower, "orders").end() == 4000);
    assertThat(info(follower, "orders").start()).isLessThanOrEqualTo(2000);
    assertThat(readAll(follower, "orders", 2000)).hasSize(2000);

    // A restore: the newest snapshot, then the records from the offset it records.
    var written =
        follower.materialize(
            new io.shoal.node.api.GetCall(
                "orders", tmp.resolve("restored.txt").toString(), false, false));
    assertThat(written.logOffset()).isEqualTo(3000);
    assertThat(java.nio.file.Files.readString(tmp.resolve("restored.txt")))
        .isEqualTo("state after 3000");
    List<String> replay = readAll(follower, "orders", written.logOffset());
    assertThat(replay).hasSize(1000);
    assertThat(replay.get(0)).isEqualTo("3000:" + new String(record(3000), UTF_8));
    assertThat(follower.logs().read("orders", 0, 1, Duration.ZERO))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withMessageContaining("holds records from offset");
  }
}
