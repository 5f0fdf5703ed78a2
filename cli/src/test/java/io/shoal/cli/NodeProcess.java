package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.node.DataDirFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@code shoal node} in a JVM of its own on loopback ports the OS picks, its output in {@code
 * DATA.log} (appended to across restarts). Found through the {@code node.json} it writes.
 */
final class NodeProcess implements AutoCloseable {
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  /** Small heaps and C1 only: many of these share a 2-core CI machine. */
  static final List<String> JVM_OPTIONS =
      List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final Path data;
  final Path log;
  final Process process;
  private DataDirFiles.NodeInfo info;

  private NodeProcess(Path data, Path log, Process process) {
    this.data = data;
    this.log = log;
    this.process = process;
  }

  /** Starts a node on {@code data} (loopback ports chosen by the OS) and waits until it answers. */
  static NodeProcess start(Path data, String... args) throws Exception {
    NodeProcess n = launch(data, args);
    n.awaitUp();
    return n;
  }

  /** Starts a node without waiting for it: a crash test may kill it while it starts. */
  static NodeProcess launch(Path data, String... args) throws IOException {
    List<String> all =
        new ArrayList<>(
            List.of("--data", data.toString(), "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"));
    all.addAll(List.of(args));
    return launchExactly(data, all.toArray(String[]::new));
  }

  /** Starts {@code shoal node ARGS}, nothing added: {@code data} is where ARGS put the store. */
  static NodeProcess launchExactly(Path data, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_OPTIONS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.add("node");
    cmd.addAll(List.of(args));
    Path log = Path.of(data + ".log");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new NodeProcess(data, log, p);
  }

  /** Waits until this process wrote its node.json and answers /health. */
  NodeProcess awaitUp() {
    await()
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              assertThat(process.isAlive())
                  .as("node on %s is alive; log:%n%s", data, tail())
                  .isTrue();
              Optional<DataDirFiles.NodeInfo> found = DataDirFiles.readNodeInfo(data);
              assertThat(found).isPresent();
              assertThat(found.get().pid()).isEqualTo(process.pid());
              info = found.get();
              assertThat(get("/health").statusCode()).isEqualTo(200);
            });
    return this;
  }

  /** This node's peer address, HOST:PORT. */
  String peer() {
    return info.peer();
  }

  /** A sample's value in /metrics (0 when absent, as for a counter never incremented). */
  double metric(String name) throws Exception {
    return metric(get("/metrics").body(), name);
  }

  static double metric(String scrape, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://" + info.http() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** SIGKILL (what {@link Process#destroyForcibly} sends on Linux), and waits for the death. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed node exits").isTrue();
  }

  /** SIGTERM: the node leaves and exits. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      kill();
    }
  }

  /** The last lines of the log, for failure messages. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Bytes of the pack files in {@code data}: what has been appended to the store so far. */
  static long packBytes(Path data) throws IOException {
    Path packs = data.resolve("packs");
    if (!Files.isDirectory(packs)) {
      return 0;
    }
    long total = 0;
    try (Stream<Path> files = Files.list(packs)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (p.getFileName().toString().endsWith(".pack")) {
          try {
            total += Files.size(p);
          } catch (java.nio.file.NoSuchFileException gone) {
            // Rewritten by compaction meanwhile.
          }
        }
      }
    }
    return total;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }
}
