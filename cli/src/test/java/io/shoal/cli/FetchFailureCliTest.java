package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.testing.TestData;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shoal fetch} in its own JVM, as an operator runs it: a fetch that cannot succeed ends
 * within seconds with one line on stderr that names the seed and the cause, and no stack trace.
 */
class FetchFailureCliTest {
  /** How soon the command must end; without the fix it waited 30 s. */
  static final Duration FAILS_WITHIN = Duration.ofSeconds(10);

  /** A bound on the process, JVM start-up included, past which the test gives up on it. */
  static final long PROCESS_TIMEOUT_SECONDS = 60;

  @TempDir Path tmp;

  private record Ended(CliTest.Run run, Duration took) {}

  private Ended shoalProcess(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    command.addAll(List.of(args));
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    long start = System.nanoTime();
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return new Ended(
        new CliTest.Run(p.exitValue(), Files.readString(out), Files.readString(err)), took);
  }

  private Ended fetch(String name, String join, String... more) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of("fetch", name, "-o", tmp.resolve("out.bin").toString(), "--join", join));
    args.addAll(List.of(more));
    return shoalProcess(args.toArray(String[]::new));
  }

  /** Failed fast, in one line on stderr that contains {@code expected}. */
  private static void assertOneLine(Ended e, String... expected) {
    assertThat(e.run().code()).as(e.run().err()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(e.took()).as(e.run().err()).isLessThan(FAILS_WITHIN);
    assertThat(e.run().err().strip().lines()).as(e.run().err()).hasSize(1);
    assertThat(e.run().err()).startsWith("shoal: ").contains(expected);
    assertThat(e.run().err()).doesNotContain("Exception", "\tat ");
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void refusedSeed() throws Exception {
    String seed = "127.0.0.1:" + closedPort();
    assertOneLine(fetch("docs", seed), seed + ": connection refused");
  }

  @Test
  void unresolvableSeed() throws Exception {
    assertOneLine(
        fetch("docs", "nosuchhost.invalid:7420"),
        "nosuchhost.invalid:7420: host name 'nosuchhost.invalid' does not resolve");
  }

  @Test
  void otherClusterAndMissingName() throws Exception {
    Path src = TestData.randomFile(tmp.resolve("blob.bin"), 5, 100_000);
    Path data = tmp.resolve("data");
    try (ShoalNode seed = ShoalNode.start(NodeConfig.loopback(data))) {
      assertThat(CliTest.shoal("publish", "blob", src.toString(), "--data", data.toString()).code())
          .isZero();
      String join = seed.peerAddress().toString();
      assertOneLine(
          fetch("blob", join, "--cluster-id", "elsewhere"),
          join + ": other cluster: it is in cluster 'default'");
      assertOneLine(fetch("nosuch", join), "no member of the swarm announces nosuch");
    }
  }
}
