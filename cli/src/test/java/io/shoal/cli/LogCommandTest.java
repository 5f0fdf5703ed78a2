package io.shoal.cli;

import static io.shoal.cli.CliTest.shoal;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.cli.CliTest.Run;
import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.node.api.LogBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCommandTest {
  @TempDir Path tmp;

  @Test
  void append_read_andLs_throughTheNode() throws Exception {
    Path data = tmp.resolve("data");
    Path lines = Files.writeString(tmp.resolve("lines.txt"), "first\n\nthird\n");
    Path blob = Files.writeString(tmp.resolve("blob.txt"), "one\nrecord");
    try (ShoalNode node = ShoalNode.start(NodeConfig.loopback(data))) {
      Run a =
          shoal("log", "append", "orders", lines.toString(), "--lines", "--data", data.toString());
      assertThat(a.code()).as(a.err()).isZero();
      assertThat(a.out()).contains("appended 3 records to orders at offsets 0 to 2");
      Run b = shoal("log", "append", "orders", blob.toString(), "--data", data.toString());
      assertThat(b.out()).contains("appended 1 record to orders at offset 3");

      Run read = shoal("log", "read", "orders", "--from", "1", "--data", data.toString());
      assertThat(read.code()).as(read.err()).isZero();
      assertThat(read.out()).isEqualTo("\nthird\none\nrecord\n");

      Run json = shoal("log", "read", "orders", "--json", "--data", data.toString());
      List<String> jsonLines = json.out().lines().toList();
      assertThat(jsonLines).hasSize(4);
      JsonNode last = new ObjectMapper().readTree(jsonLines.get(3));
      assertThat(last.get("offset").asLong()).isEqualTo(3);
      assertThat(new String(Base64.getDecoder().decode(last.get("data").asText()), UTF_8))
          .isEqualTo("one\nrecord");

      Run ls = shoal("log", "ls", "--data", data.toString());
      assertThat(ls.out()).contains("orders").contains(" 4 ");
    }
  }

  @Test
  void manyLines_goInSeveralRequests_andEveryRecordArrivesExactly() throws Exception {
    Path data = tmp.resolve("data");
    List<String> expected = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 30_000; i++) {
      String line = i % 7 == 0 ? "" : ("record " + i + " ").repeat(1 + i % 13);
      expected.add(line);
      text.append(line).append('\n');
    }
    text.append(""); // the last line ends with its newline
    Path file = Files.writeString(tmp.resolve("many.txt"), text);
    assertThat(Files.size(file)).isGreaterThan(2L << 20); // more than two request bodies
    try (ShoalNode node = ShoalNode.start(NodeConfig.loopback(data))) {
      Run a = shoal("log", "append", "big", file.toString(), "--lines", "--data", data.toString());
      assertThat(a.code()).as(a.err()).isZero();
      assertThat(a.out()).contains("appended 30000 records to big at offsets 0 to 29999");
      List<String> got = new ArrayList<>();
      long next = 0;
      while (next < 30_000) {
        LogBatch batch = node.logs().read("big", next, 10_000, Duration.ZERO).join();
        batch.records().forEach(r -> got.add(new String(r.data(), UTF_8)));
        next = batch.next();
      }
      assertThat(got).isEqualTo(expected);
    }
  }

  @Test
  void badInput_oneClearError() throws Exception {
    Path data = tmp.resolve("data");
    Path huge = tmp.resolve("huge.bin");
    Files.write(huge, new byte[(1 << 20) + 1]);
    try (ShoalNode node = ShoalNode.start(NodeConfig.loopback(data))) {
      Run badName = shoal("log", "append", "../etc", huge.toString(), "--data", data.toString());
      assertThat(badName.code()).isNotZero();
      assertThat(badName.err()).contains("bad log name").doesNotContain("Exception");
      Run tooBig = shoal("log", "append", "x", huge.toString(), "--data", data.toString());
      assertThat(tooBig.code()).isNotZero();
      assertThat(tooBig.err()).contains("at most 1 MiB").doesNotContain("Exception");
      Run missing = shoal("log", "read", "nothing", "--data", data.toString());
      assertThat(missing.code()).isNotZero();
      assertThat(missing.err()).contains("no log nothing").doesNotContain("Exception");
      assertThat(node.logs().list()).isEmpty();
    }
  }

  @Test
  void get_ofALogsOwnSnapshot_givesNoReplayHint_thoughItRecordsTheNewestSnapshotsOffset()
      throws Exception {
    Path data = tmp.resolve("data");
    Path state = Files.writeString(tmp.resolve("state.txt"), "after one record");
    NodeConfig fastSeal =
        NodeConfig.loopback(data).toBuilder()
            .logs(new ChangeLog.Options(64 << 10, Duration.ofMillis(100)))
            .build();
    try (ShoalNode node = ShoalNode.start(fastSeal)) {
      shoal("log", "append", "kv", state.toString(), "--data", data.toString());
      Run p =
          shoal("publish", "kv", state.toString(), "--log-offset", "1", "--data", data.toString());
      assertThat(p.code()).as(p.err()).isZero();
      shoal("log", "append", "kv", state.toString(), "--data", data.toString());
      // The log's version sealed after the publication records the offset kv@1 covers.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  node.store()
                      .catalog()
                      .latest(ChangeLog.SNAPSHOT_PREFIX + "kv")
                      .filter(e -> e.version() == 2)
                      .isPresent());
      Run g =
          shoal(
              "get",
              ChangeLog.SNAPSHOT_PREFIX + "kv",
              "-o",
              tmp.resolve("segments").toString(),
              "--data",
              data.toString());
      assertThat(g.code()).as(g.err()).isZero();
      assertThat(g.out() + g.err()).contains("_log.kv@2").doesNotContain("replay");
    }
  }

  @Test
  void publish_withALogOffset_andGet_saysWhereTheReplayStarts() throws Exception {
    Path data = tmp.resolve("data");
    Path state = Files.writeString(tmp.resolve("state.txt"), "after two records");
    try (ShoalNode node = ShoalNode.start(NodeConfig.loopback(data))) {
      shoal("log", "append", "kv", state.toString(), "--data", data.toString());
      Run p =
          shoal("publish", "kv", state.toString(), "--log-offset", "1", "--data", data.toString());
      assertThat(p.code()).as(p.err()).isZero();
      Run g =
          shoal("get", "kv", "-o", tmp.resolve("out.txt").toString(), "--data", data.toString());
      assertThat(g.code()).as(g.err()).isZero();
      assertThat(g.out() + g.err())
          .contains("it holds log kv before offset 1: replay with 'shoal log read kv --from 1'");
      Run json =
          shoal(
              "get",
              "kv",
              "-o",
              tmp.resolve("out2.txt").toString(),
              "--json",
              "--data",
              data.toString());
      assertThat(new ObjectMapper().readTree(json.out()).get("logOffset").asLong()).isEqualTo(1);
      Run bad =
          shoal("publish", "kv", state.toString(), "--log-offset", "-3", "--data", data.toString());
      assertThat(bad.code()).isNotZero();
      assertThat(bad.err()).contains("--log-offset must be 0 or more");
    }
  }
}
