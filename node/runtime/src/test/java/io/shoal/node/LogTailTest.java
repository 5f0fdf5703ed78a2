package io.shoal.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.node.api.LogBatch;
import io.shoal.node.api.LogInfo;
import io.shoal.node.net.LogTail;
import io.shoal.node.net.PeerTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A change log's newest records streamed from its writer to a follower, on real secured nodes. */
class LogTailTest {
  /**
   * Segments sealed by size only (the age is an hour), so that small records stay open on the
   * writer: a follower can only have read them through the tail.
   */
  static final ChangeLog.Options BY_SIZE = new ChangeLog.Options(4 << 10, Duration.ofHours(1));

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
    return swarm.config(name).toBuilder().logs(BY_SIZE).build();
  }

  private static void append(ShoalNode n, String... records) throws Exception {
    List<byte[]> batch = new ArrayList<>();
    for (String r : records) {
      batch.add(r.getBytes(UTF_8));
    }
    n.logs().append("orders", batch);
  }

  /** A record large enough to seal the open records with it. */
  private static String sealing(int i) {
    return "seal " + i + " " + "x".repeat(5000);
  }

  private static LogInfo info(ShoalNode n) {
    return n.logs().list().stream().filter(i -> i.name().equals("orders")).findFirst().orElse(null);
  }

  private static String at(ShoalNode n, long offset) {
    List<LogBatch.Entry> r = n.logs().read("orders", offset, 1, Duration.ZERO).join().records();
    return r.isEmpty() ? null : new String(r.get(0).data(), UTF_8);
  }

  private static double metric(ShoalNode n, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.E+]+)$").matcher(n.metrics().scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  /** Writer and follower, the follower holding the first sealed segment of log "orders". */
  private ShoalNode[] writerAndFollower() throws Exception {
    ShoalNode writer = swarm.start(config("w"));
    ShoalNode follower =
        swarm.start(
            config("f").withSeeds(List.of(writer.peerAddress())).withFollow(List.of("orders")));
    append(writer, sealing(0));
    await().atMost(Duration.ofSeconds(30)).until(() -> info(follower) != null);
    return new ShoalNode[] {writer, follower};
  }

  @Test
  void aRecordIsReadOnTheFollower_beforeItsSegmentIsSealed_andItsSegmentThenTakesItsPlace()
      throws Exception {
    ShoalNode[] nodes = writerAndFollower();
    ShoalNode writer = nodes[0];
    ShoalNode follower = nodes[1];

    append(writer, "r1");
    await().atMost(Duration.ofSeconds(30)).until(() -> "r1".equals(at(follower, 1)));
    assertThat(info(writer).sealed()).as("r1 is still open on the writer").isEqualTo(1);
    assertThat(info(follower).end()).as("the follower's segments end before r1").isEqualTo(1);

    // A read waiting past the end is answered by the next streamed record.
    CompletableFuture<LogBatch> waiting =
        follower.logs().read("orders", 2, 10, Duration.ofSeconds(30));
    append(writer, "r2", "r3");
    LogBatch b = waiting.get(30, TimeUnit.SECONDS);
    assertThat(b.records()).extracting(LogBatch.Entry::offset).startsWith(2L);
    assertThat(new String(b.records().get(0).data(), UTF_8)).isEqualTo("r2");

    // Their segment arrives: it holds them now, and nothing streamed is kept beside it.
    append(writer, sealing(4));
    await().atMost(Duration.ofSeconds(30)).until(() -> info(follower).end() == 5);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metric(follower, "shoal_log_tail_held_bytes") == 0);
    for (long o = 0; o < 5; o++) {
      assertThat(at(follower, o)).isEqualTo(at(writer, o));
    }
    assertThat(metric(follower, "shoal_log_tail_received_records_total")).isGreaterThanOrEqualTo(3);
    assertThat(metric(writer, "shoal_log_tail_sent_records_total")).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aMemberThatIsNotTheWriter_cannotFeedAReplica_andItsRequestsAreBounded() throws Exception {
    ShoalNode[] nodes = writerAndFollower();
    ShoalNode writer = nodes[0];
    ShoalNode follower = nodes[1];
    // One segment per record, 1 MB in all: more than a follower may be behind and still be served.
    String[] segments = new String[200];
    for (int i = 0; i < segments.length; i++) {
      segments[i] = sealing(i + 1);
    }
    append(writer, segments);
    await().atMost(Duration.ofSeconds(30)).until(() -> info(follower).end() == 201);
    List<LogTail.Reply> replies = new CopyOnWriteArrayList<>();
    PeerTransport mallory =
        swarm.rogue(
            swarm.credentials("mallory"),
            m -> {
              if (m instanceof LogTail.Reply r) {
                replies.add(r);
              }
            });

    // A reply the follower did not ask mallory for, with records for the replica's next offset.
    mallory.send(
        follower.peerAddress(),
        new LogTail.Reply(
            "orders", 201, LogTail.Status.RECORDS, List.of("forged".getBytes(UTF_8))));
    append(writer, "genuine");
    await().atMost(Duration.ofSeconds(30)).until(() -> at(follower, 201) != null);
    assertThat(at(follower, 201)).isEqualTo("genuine");

    // Requests the writer refuses, each with its reason.
    mallory.send(writer.peerAddress(), new LogTail.Request("orders", 0, 0));
    mallory.send(writer.peerAddress(), new LogTail.Request("orders", 999, 0));
    mallory.send(writer.peerAddress(), new LogTail.Request("nope", 0, 0));
    mallory.send(writer.peerAddress(), new LogTail.Request("../orders", 0, 0));
    mallory.send(follower.peerAddress(), new LogTail.Request("orders", 201, 0));
    // A request a few segments behind is served: the follower is near enough to the end.
    mallory.send(writer.peerAddress(), new LogTail.Request("orders", 195, 0));
    await().atMost(Duration.ofSeconds(10)).until(() -> replies.size() == 6);
    assertThat(replies)
        .extracting(r -> r.name() + "@" + r.from() + " " + r.status())
        .containsExactlyInAnyOrder(
            "orders@0 BEHIND",
            "orders@999 REFUSED",
            "orders@195 RECORDS",
            "nope@0 NOT_WRITER",
            "../orders@0 REFUSED",
            "orders@201 NOT_WRITER");
    replies.clear();

    // Waiting requests past the bound for one peer are answered at once; the rest wait.
    for (int i = 0; i <= LogTails.MAX_WAITING_PER_PEER; i++) {
      mallory.send(writer.peerAddress(), new LogTail.Request("orders", 202, 30_000));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> !replies.isEmpty());
    assertThat(replies).extracting(LogTail.Reply::status).containsExactly(LogTail.Status.BUSY);
    append(writer, "next");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> replies.size() == LogTails.MAX_WAITING_PER_PEER + 1);
    assertThat(replies.subList(1, replies.size()))
        .allSatisfy(
            r -> {
              assertThat(r.status()).isEqualTo(LogTail.Status.RECORDS);
              assertThat(r.records()).hasSize(1);
              assertThat(Arrays.equals(r.records().get(0), "next".getBytes(UTF_8))).isTrue();
            });
    // The follower, asking as well, was not starved by them.
    await().atMost(Duration.ofSeconds(30)).until(() -> "next".equals(at(follower, 202)));
  }
}
