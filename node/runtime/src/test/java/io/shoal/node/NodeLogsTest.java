package io.shoal.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.node.api.LogBatch;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.NotFoundException;
import io.shoal.node.net.RetryLaterException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeLogsTest {
  @TempDir Path data;
  private NodeLogs logs;

  private NodeLogs open(ChangeLog.Options options) throws Exception {
    logs = NodeLogs.open(data, options, new NodeMetrics(), "00".repeat(16));
    return logs;
  }

  @AfterEach
  void close() {
    if (logs != null) {
      logs.close();
    }
  }

  private static List<byte[]> records(String... texts) {
    List<byte[]> out = new ArrayList<>();
    for (String t : texts) {
      out.add(t.getBytes(UTF_8));
    }
    return out;
  }

  private static List<String> texts(LogBatch b) {
    return b.records().stream().map(e -> e.offset() + ":" + new String(e.data(), UTF_8)).toList();
  }

  @Test
  void append_thenRead_inOrder_andReopenKeepsThem() throws Exception {
    open(ChangeLog.Options.defaults());
    assertThat(logs.append("orders", records("a", "b")).first()).isZero();
    assertThat(logs.append("orders", records("c")).first()).isEqualTo(2);
    LogBatch b = logs.read("orders", 1, 10, Duration.ZERO).join();
    assertThat(texts(b)).containsExactly("1:b", "2:c");
    assertThat(b.next()).isEqualTo(3);
    assertThat(b.end()).isEqualTo(3);
    logs.close();

    open(ChangeLog.Options.defaults());
    assertThat(texts(logs.read("orders", 0, 10, Duration.ZERO).join()))
        .containsExactly("0:a", "1:b", "2:c");
    assertThat(logs.list()).singleElement().satisfies(i -> assertThat(i.end()).isEqualTo(3));
  }

  @Test
  void waitingRead_isAnsweredByTheNextAppend() throws Exception {
    open(ChangeLog.Options.defaults());
    logs.append("orders", records("a"));
    CompletableFuture<LogBatch> follow = logs.read("orders", 1, 10, Duration.ofSeconds(20));
    assertThat(follow).isNotDone();
    logs.append("orders", records("b"));
    assertThat(texts(follow.get(10, SECONDS))).containsExactly("1:b");
  }

  @Test
  void waitingRead_answersEmpty_whenNothingCame() throws Exception {
    open(ChangeLog.Options.defaults());
    logs.append("orders", records("a"));
    LogBatch b = logs.read("orders", 1, 10, Duration.ofMillis(50)).join();
    assertThat(b.records()).isEmpty();
    assertThat(b.next()).isEqualTo(1);
  }

  @Test
  void waitingReads_areBounded() throws Exception {
    open(ChangeLog.Options.defaults());
    logs.append("orders", records("a"));
    List<CompletableFuture<LogBatch>> waiting = new ArrayList<>();
    for (int i = 0; i < NodeLogs.MAX_WAITERS; i++) {
      waiting.add(logs.read("orders", 1, 1, Duration.ofSeconds(30)));
    }
    assertThat(waiting).noneMatch(CompletableFuture::isDone);
    assertThatThrownBy(() -> logs.read("orders", 1, 1, Duration.ofSeconds(30)).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(RetryLaterException.class);
    logs.append("orders", records("b")); // answers all of them, and frees their places
    CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(10, SECONDS);
    assertThat(waiting).allSatisfy(f -> assertThat(texts(f.join())).containsExactly("1:b"));
    assertThat(logs.read("orders", 2, 1, Duration.ofSeconds(30))).isNotDone();
  }

  @Test
  void hostileNames_andOffsets_areRefused_andCreateNothing() throws Exception {
    open(ChangeLog.Options.defaults());
    for (String bad : List.of("../x", "..", ".hidden", "a/b", "", "x".repeat(129), "a\u0000b")) {
      assertThatThrownBy(() -> logs.append(bad, records("a")))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> logs.read(bad, 0, 1, Duration.ZERO).join())
          .as(bad)
          .hasCauseInstanceOf(IllegalArgumentException.class);
    }
    assertThat(Files.exists(data.resolve(NodeLogs.DIR))).isFalse();
    assertThatThrownBy(() -> logs.read("nothing", 0, 1, Duration.ZERO).join())
        .hasCauseInstanceOf(NotFoundException.class)
        .hasMessageContaining("no log nothing");
    logs.append("orders", records("a"));
    assertThatThrownBy(() -> logs.read("orders", 2, 1, Duration.ZERO).join())
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ends at offset 1");
    assertThatThrownBy(() -> logs.read("orders", 0, 1, Duration.ofSeconds(31)).join())
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> logs.append("orders", List.of(new byte[(1 << 20) + 1])))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(logs.list()).singleElement().satisfies(i -> assertThat(i.end()).isEqualTo(1));
  }

  @Test
  void readsAreBoundedInBytes() throws Exception {
    open(ChangeLog.Options.defaults());
    byte[] big = new byte[900 << 10];
    for (int i = 0; i < 6; i++) {
      logs.append("blobs", List.of(big));
    }
    LogBatch b = logs.read("blobs", 0, 100, Duration.ZERO).join();
    assertThat(b.records()).hasSize(4); // 4 x 900 KiB fit in 4 MiB, the fifth does not
    assertThat(b.next()).isEqualTo(4);
  }

  @Test
  void openRecords_areSealedByAge_onTheTimer() throws Exception {
    open(new ChangeLog.Options(1 << 20, Duration.ofMillis(100)));
    List<String> sealed = new CopyOnWriteArrayList<>();
    logs.onSealed(l -> sealed.add(l.name() + "@" + l.sealedOffset()));
    logs.append("orders", records("a", "b"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !sealed.isEmpty());
    assertThat(sealed).containsExactly("orders@2");
    assertThat(logs.list().get(0).segments()).isEqualTo(1);
  }
}
