package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCrashTest {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "SIGKILL at random moments while writing: every chunk still verifies, no ack is lost")
  void sigkillWhileWriting_leavesOnlyVerifiedChunks() throws Exception {
    long seed = Long.getLong("shoal.test.seed", System.nanoTime());
    System.err.println(
        "StoreCrashTest seed " + seed + " (rerun with -Dshoal.test.seed=" + seed + ")");
    SplittableRandom random = new SplittableRandom(seed);
    Path store = dir.resolve("store");
    List<String> acked = new ArrayList<>();
    long lastVersion = 0;
    for (int round = 0; round < 5; round++) {
      List<String> lines = new CopyOnWriteArrayList<>();
      Process child = startWriter(store, random.nextLong());
      Thread reader = drain(child, lines);
      int killAfter = random.nextInt(3, 40);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  lines.stream().filter(l -> l.startsWith("version")).count() >= killAfter
                      || !child.isAlive());
      assertThat(child.isAlive()).as("writer died on its own (seed " + seed + ")").isTrue();
      child.destroyForcibly().waitFor();
      reader.join();
      for (String l : lines) {
        if (l.startsWith("chunk ")) {
          acked.add(l.substring(6));
        } else if (l.startsWith("version ")) {
          lastVersion = Long.parseLong(l.substring(8));
        }
      }

      try (ChunkStore s = ChunkStore.open(store)) {
        List<ChunkId> all = new ArrayList<>();
        s.forEachId(all::add);
        for (ChunkId id : all) {
          s.read(id); // throws CorruptChunkException if the bytes do not match
        }
        for (String hex : acked) {
          assertThat(s.contains(ChunkId.parse(hex)))
              .as("acked chunk " + hex + " (seed " + seed + ")")
              .isTrue();
        }
        assertThat(s.catalog().latest("crash").orElseThrow().version())
            .isGreaterThanOrEqualTo(lastVersion);
      }
    }
  }

  private static Process startWriter(Path store, long seed) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            StoreCrashWriter.class.getName(),
            store.toString(),
            Long.toString(seed))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  private static Thread drain(Process p, List<String> lines) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (java.io.IOException e) {
                // The process was killed; what was read is what was acknowledged.
              }
            },
            "crash-test-reader");
    t.start();
    return t;
  }
}
