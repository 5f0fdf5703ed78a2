package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person sees of a fetch: the progress bar under a pseudo-terminal (util-linux {@code
 * script}) and {@code shoal status} of a node that is fetching, against a seed throttled so the
 * fetch is still running when looked at.
 */
class StatusAndProgressTest {
  private static final long MIB = 1 << 20;
  private static final int SNAPSHOT_BYTES = 40 << 20;
  private static final long UPLOAD_BYTES_PER_SECOND = 4 * MIB;
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
  private static final Pattern FRAME =
      Pattern.compile("^ *(\\d+|--)% \\[(.{8})\\] +(\\S+) (\\S+) +(\\S+) (\\S+)");

  @TempDir Path tmp;

  private ShoalNode seed(Path dir) throws Exception {
    ShoalNode seed = ShoalNode.start(NodeConfig.loopback(dir));
    Path src = TestData.randomFile(tmp.resolve("blob.bin"), 12, SNAPSHOT_BYTES);
    CliTest.Run published =
        CliTest.shoal("publish", "blob", src.toString(), "--data", dir.toString());
    assertThat(published.code()).as(published.err()).isZero();
    seed.setUploadLimit(UPLOAD_BYTES_PER_SECOND);
    return seed;
  }

  private static List<String> java(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(NodeProcess.JVM_OPTIONS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Runs the CLI under a pseudo-terminal; what the terminal received. */
  private String underTerminal(String... args) throws Exception {
    String command =
        java(args).stream()
            .map(a -> "'" + a.replace("'", "'\\''") + "'")
            .collect(Collectors.joining(" "));
    Path typescript = tmp.resolve("typescript-" + System.nanoTime());
    Process p =
        new ProcessBuilder("script", "-qfec", command, "/dev/null")
            .redirectOutput(typescript.toFile())
            .redirectError(ProcessBuilder.Redirect.appendTo(typescript.toFile()))
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    assertThat(p.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("cli exits").isTrue();
    String screen = Files.readString(typescript, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(screen).isZero();
    return screen;
  }

  /** The lines a terminal shows: each line's text after its last carriage return. */
  static List<String> screenLines(String typescript) {
    return Arrays.stream(typescript.replace("\r\n", "\n").split("\n"))
        .map(l -> l.substring(l.lastIndexOf('\r') + 1))
        .filter(l -> !l.isBlank())
        .toList();
  }

  @Test
  void fetchUnderATerminal_barReaches100AtTheRealRate_andTheSummaryStaysLast() throws Exception {
    Path dir = tmp.resolve("seed");
    try (ShoalNode seed = seed(dir)) {
      Path out = tmp.resolve("out.bin");
      String screen =
          underTerminal(
              "fetch",
              "blob",
              "-o",
              out.toString(),
              "--join",
              "127.0.0.1:" + seed.peerAddress().port());
      List<String> lines = screenLines(screen);
      assertThat(lines.get(lines.size() - 1)).as(screen).startsWith("fetched blob@1: 40.0 MiB new");

      List<String> frames = new ArrayList<>();
      for (String chunk : Pattern.compile("[\r\n]").splitAsStream(screen).toList()) {
        if (FRAME.matcher(chunk).find()) {
          frames.add(chunk);
        }
      }
      assertThat(frames).as(screen).hasSizeGreaterThan(10);
      assertThat(frames).allSatisfy(f -> assertThat(f).hasSize(ProgressBars.WIDTH_CHARS));
      assertThat(frames.get(frames.size() - 1)).startsWith("100% [########]");
      // Late in the transfer the rate shown is the link's, not skewed by the opening burst.
      String late =
          frames.stream()
              .filter(f -> f.matches("^ *(8\\d|9[0-5])% .*"))
              .reduce((a, b) -> b)
              .orElseThrow(() -> new AssertionError("no frame at 80-95%:\n" + screen));
      Matcher m = Pattern.compile("(\\d+\\.\\d) MiB/s").matcher(late);
      assertThat(m.find()).as(late).isTrue();
      assertThat(Double.parseDouble(m.group(1)) * MIB)
          .as(late)
          .isCloseTo((double) UPLOAD_BYTES_PER_SECOND, within(0.3 * UPLOAD_BYTES_PER_SECOND));
      System.out.println("--- progress bar, as the terminal received it:\n" + screen);
    }
  }

  @Test
  void statusOfAFetchingNode_showsTheTransfer_inTextJsonAndWatch() throws Exception {
    Path seedDir = tmp.resolve("seed");
    Path fetcherDir = tmp.resolve("fetcher");
    try (ShoalNode seed = seed(seedDir);
        ShoalNode fetcher =
            ShoalNode.start(
                NodeConfig.loopback(fetcherDir).withSeeds(List.of(seed.peerAddress())))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  fetcher.status().winners().stream()
                      .anyMatch(w -> w.name().equals("blob") && !w.completeHolders().isEmpty()));
      CompletableFuture<ShoalNode.Fetched> fetch =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return fetcher.fetch(SnapshotRef.parse("blob"), FetchCommand.ANNOUNCEMENT_WAIT);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      String data = fetcherDir.toString();
      JsonNode transfer =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> {
                    CliTest.Run json = CliTest.shoal("status", "--data", data, "--json");
                    assertThat(json.code()).as(json.err()).isZero();
                    JsonNode t = new ObjectMapper().readTree(json.out()).path("transfers").path(0);
                    return t.path("stage").asText().equals("data") ? t : null;
                  },
                  t -> t != null);
      assertThat(transfer.get("name").asText()).isEqualTo("blob");
      assertThat(transfer.get("version").asLong()).isEqualTo(1);
      assertThat(transfer.get("totalBytes").asLong()).isEqualTo(SNAPSHOT_BYTES);
      assertThat(transfer.get("doneBytes").asLong()).isLessThan(SNAPSHOT_BYTES);
      assertThat(transfer.get("peers").asInt()).isGreaterThanOrEqualTo(1);
      assertThat(transfer.has("bytesPerSecond")).isTrue();
      assertThat(transfer.has("etaSeconds")).isTrue();

      CliTest.Run text = CliTest.shoal("status", "--data", data);
      assertThat(text.code()).as(text.err()).isZero();
      String row =
          text.out()
              .lines()
              .filter(l -> l.startsWith("blob@1"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(text.out()));
      assertThat(row)
          .matches(
              "blob@1 +data +[\\d.]+/40\\.0 MiB \\(\\d+%\\) +\\S+ \\S+/s +\\S+ +\\S+ +[1-9]\\d*");
      System.out.println("--- shoal status, during the fetch:\n" + text.out());

      String watched =
          underTerminal("status", "--data", data, "--watch", "--interval", "0.2", "--count", "3");
      assertThat(watched).contains("\u001b[H", "\u001b[J", "blob@1");
      assertThat(watched.split("\u001b\\[H", -1))
          .as("cursor home: once to clear, once per frame")
          .hasSize(5);

      fetch.get(120, TimeUnit.SECONDS);
      CliTest.Run after = CliTest.shoal("status", "--data", data);
      assertThat(after.out()).contains("no transfers in progress");
    }
  }

  @Test
  void getToStdoutThroughTheNode_namesTheVersionStreamed() throws Exception {
    Path dir = tmp.resolve("node");
    try (ShoalNode node = ShoalNode.start(NodeConfig.loopback(dir))) {
      Path src = TestData.randomFile(tmp.resolve("small.bin"), 13, 300_000);
      for (int i = 0; i < 2; i++) {
        Files.write(src, new byte[] {(byte) i}, java.nio.file.StandardOpenOption.APPEND);
        assertThat(
                CliTest.shoal("publish", "blob", src.toString(), "--data", dir.toString()).code())
            .isZero();
      }
      Path err = tmp.resolve("get.err");
      Process p =
          new ProcessBuilder(java("get", "blob", "-o", "-", "--data", dir.toString()))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(err.toFile())
              .start();
      assertThat(p.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(err)).contains("wrote blob@2 to stdout: 293.0 KiB");
    }
  }

  /** Whether /proc says {@code pid} ignores SIGINT (bit 1 of SigIgn). */
  private static boolean sigintIgnored(long pid) throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 2L) != 0;
      }
    }
    return false;
  }

  @Test
  void statusWatch_exitsCleanlyOnCtrlC() throws Exception {
    Path dir = tmp.resolve("node");
    try (ShoalNode node = ShoalNode.start(NodeConfig.loopback(dir))) {
      Path log = tmp.resolve("watch.log");
      Process p =
          new ProcessBuilder(
                  java("status", "--data", dir.toString(), "--watch", "--interval", "0.2"))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> Files.readString(log).contains("(Ctrl-C to stop)"));
      // A job a non-interactive shell started in the background inherits SIGINT ignored, and the
      // JVM then leaves it ignored: Ctrl-C cannot reach such a process, so there is nothing to
      // test.
      org.junit.jupiter.api.Assumptions.assumeFalse(
          sigintIgnored(p.pid()), "SIGINT is ignored in this environment (a background job)");
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits on SIGINT").isTrue();
      assertThat(p.exitValue()).isEqualTo(130);
      assertThat(Files.readString(log)).doesNotContain("Exception", "\tat ");
    }
  }
}
