package io.shoal.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code run.sh} at a small size: three replicas, a SIGKILL with the data deleted and one with the
 * data kept, each followed by a restore, a replay and a comparison of every key and value.
 */
class RunScriptTest {
  @Test
  void runScript_recoversBothReplicas_andTheirKeysMatch() throws Exception {
    // Under target/, so that the replicas' logs stay for a look after a failure.
    Path tmp = Path.of("target", "run-script").toAbsolutePath();
    deleteTree(tmp);
    Files.createDirectories(tmp);
    Path log = tmp.resolve("run.log");
    ProcessBuilder pb =
        new ProcessBuilder("bash", Path.of("run.sh").toAbsolutePath().toString(), "8")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("KV_CLASSPATH", System.getProperty("java.class.path"));
    pb.environment().put("KV_DIR", tmp.resolve("run").toString());
    pb.environment().put("KV_PUBLISH_EVERY", "1");
    pb.environment().put("KV_JAVA_OPTS", "-Xmx256m");
    Process p = pb.start();
    boolean done = p.waitFor(8, TimeUnit.MINUTES);
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
    }
    String out = Files.readString(log);
    assertThat(done).as("run.sh finished (logs in %s); it printed:%n%s", tmp, out).isTrue();
    assertThat(p.exitValue()).as("run.sh's exit (logs in %s); it printed:%n%s", tmp, out).isZero();
    assertThat(out)
        .contains("restored kv@")
        .contains("replica 3 holds the same")
        .contains("OK: all checks passed");
  }

  private static void deleteTree(Path p) throws java.io.IOException {
    if (Files.exists(p)) {
      try (var walk = Files.walk(p)) {
        for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
  }
}
