package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every shell block of README.md, in order, in one bash as a user pasting them would, so that
 * they cannot rot: the real launcher ({@code ./shoal}, running this build's classes through {@code
 * SHOAL_CLASSPATH}) in a directory that holds a copy of {@code docs/}, with {@code mktemp} inside
 * this test's directory. Only the test command itself is left out.
 */
class ReadmeTest {
  /** The demo, the tour, a secured swarm and three simulations, on a 2-core machine. */
  static final Duration TIMEOUT = Duration.ofMinutes(8);

  private static final Pattern SHELL_BLOCK = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL);
  private static final String TEST_COMMAND = "mvn -B verify";

  @TempDir Path tmp;

  static List<String> shellBlocks(String markdown) {
    List<String> blocks = new ArrayList<>();
    Matcher m = SHELL_BLOCK.matcher(markdown);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  @Test
  void everyShellBlockOfTheReadme_runsAsWritten() throws Exception {
    Path repo = Path.of("..").toAbsolutePath().normalize();
    List<String> blocks = shellBlocks(Files.readString(repo.resolve("README.md")));
    assertThat(blocks).as("README's shell blocks").hasSizeGreaterThanOrEqualTo(5);
    assertThat(blocks).extracting(String::strip).contains(TEST_COMMAND);

    String output = runBlocks(blocks, repo, tmp, "readme-run.log", TIMEOUT);
    assertThat(output)
        .as("the tour's second version shares all but a chunk with the first")
        .containsPattern("state +2 .*\\((9\\d|100)%\\)")
        .contains("converged");
  }

  /**
   * Runs {@code blocks} in one bash, in a fresh checkout-like directory under {@code tmp} (the
   * launcher and a copy of {@code docs/}), with this build's classes; fails unless they all succeed
   * within {@code timeout}. Returns their output, also kept in {@code target/LOGNAME}.
   */
  static String runBlocks(
      List<String> blocks, Path repo, Path tmp, String logName, Duration timeout) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("checkout"));
    Files.createSymbolicLink(root.resolve("shoal"), repo.resolve("shoal"));
    copyTree(repo.resolve("docs"), root.resolve("docs"));
    Path scratch = Files.createDirectories(tmp.resolve("tmp"));
    StringBuilder script =
        new StringBuilder("set -eu\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n");
    for (String block : blocks) {
      if (!block.strip().equals(TEST_COMMAND)) {
        script.append(block).append('\n');
      }
    }
    Path log = Path.of("target", logName).toAbsolutePath();
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", script.toString())
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("SHOAL_CLASSPATH", System.getProperty("java.class.path"));
    pb.environment().put("TMPDIR", scratch.toString());
    pb.environment().remove("SHOAL_DATA");
    pb.environment().remove("w");
    Process p = pb.start();
    boolean done = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
    }
    String output = Files.readString(log);
    String tail = output.substring(Math.max(0, output.length() - 4000));
    assertThat(done).as("the blocks ran within %s; their output ends:%n%s", timeout, tail).isTrue();
    assertThat(p.exitValue())
        .as("the blocks' commands; the output (%s) ends:%n%s", log, tail)
        .isZero();
    return output;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path source : (Iterable<Path>) all::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
