package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.chunkstore.ChunkStore;
import io.shoal.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node and CLI commands on one data directory: a node starting while a command holds the store
 * waits for it, and a command that finds a starting node's lock waits for its API.
 */
class StoreSharingTest {
  static final int STARTS = 3;

  /** Listings through the running node each round asks for before it stops the node. */
  static final int LISTINGS_THROUGH_NODE = 10;

  static final Duration LOOP_TIMEOUT = Duration.ofSeconds(90);

  /** How long the test goes on holding the store once the node is seen trying to take it. */
  static final Duration HELD_WHILE_NODE_TRIES = Duration.ofMillis(500);

  @TempDir Path tmp;

  @Test
  @DisplayName(
      "a node starts three times on a store that a loop of 'shoal ls' reads as fast as it can:"
          + " every node comes up and every ls lists the snapshot")
  void nodeStart_whileLsLoops_everyNodeComesUpAndEveryLsAnswers() throws Exception {
    Path data = tmp.resolve("data");
    Path src = TestData.randomFile(tmp.resolve("src.bin"), 1, 300_000);
    CliTest.Run published =
        CliTest.shoal("publish", "orders", src.toString(), "--data", data.toString());
    assertThat(published.code()).as(published.err()).isZero();
    for (int start = 1; start <= STARTS; start++) {
      LsLoop loop = LsLoop.start(data);
      try (NodeProcess node = awaitFirstListingThenLaunch(loop, data)) {
        node.awaitUp();
        int upAt = loop.answered.get();
        await()
            .atMost(LOOP_TIMEOUT)
            .until(
                () ->
                    loop.answered.get() >= upAt + LISTINGS_THROUGH_NODE || !loop.failed.isEmpty());
        loop.stop();
        assertThat(loop.failed).as("ls runs that failed in start %d", start).isEmpty();
        node.stop();
      } finally {
        loop.stop();
      }
    }
  }

  @Test
  @DisplayName(
      "a node started while a command holds the store waits for it, logs what it waited for,"
          + " and comes up once the command lets go")
  void nodeStart_whileACommandHoldsTheStore_waitsAndComesUp() throws Exception {
    Path data = published();
    NodeProcess node = null;
    try {
      try (ChunkStore held = ChunkStore.open(data)) {
        NodeProcess launched = NodeProcess.launch(data);
        node = launched;
        await()
            .atMost(NodeProcess.START_TIMEOUT)
            .until(() -> !launched.process.isAlive() || opens(launched.process.pid(), data));
        await()
            .during(HELD_WHILE_NODE_TRIES)
            .atMost(HELD_WHILE_NODE_TRIES.multipliedBy(3))
            .untilAsserted(
                () ->
                    assertThat(launched.process.isAlive())
                        .as("the node waits for the store; its log:%n%s", launched.tail())
                        .isTrue());
      }
      node.awaitUp();
      assertThat(Files.readString(node.log))
          .contains(
              "store " + data + " was locked by pid " + ProcessHandle.current().pid() + "; waited");
    } finally {
      if (node != null) {
        node.close();
      }
    }
  }

  @Test
  @DisplayName(
      "ls on a store a command (not a node) holds past the bound fails with one line naming it")
  void ls_storeHeldPastTheBound_failsWithOneLine() throws Exception {
    Path data = published();
    try (ChunkStore held = ChunkStore.open(data)) {
      List<String> cmd =
          new java.util.ArrayList<>(
              List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      cmd.addAll(NodeProcess.JVM_OPTIONS);
      cmd.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              Main.class.getName(),
              "ls",
              "--data",
              data.toString()));
      long startNanos = System.nanoTime();
      Process ls = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      String err = new String(ls.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(ls.waitFor(LOOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(ls.exitValue()).isEqualTo(Main.EXIT_FAILURE);
      assertThat(System.nanoTime() - startNanos)
          .as("ls waited the bound for the store")
          .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(StoreAccess.OWNER_WAIT_MILLIS));
      assertThat(err)
          .isEqualTo(
              "shoal: store "
                  + data
                  + " is in use by another shoal process (pid "
                  + ProcessHandle.current().pid()
                  + ") and no node answered for it within 10 s\n");
    }
  }

  /** A data directory holding one published snapshot, "orders". */
  private Path published() throws IOException {
    Path data = tmp.resolve("data");
    Path src = TestData.randomFile(tmp.resolve("src.bin"), 1, 300_000);
    CliTest.Run r = CliTest.shoal("publish", "orders", src.toString(), "--data", data.toString());
    assertThat(r.code()).as(r.err()).isZero();
    return data;
  }

  /** Whether process {@code pid} has the store's lock file open (Linux: its /proc fd links). */
  private static boolean opens(long pid, Path data) throws IOException {
    Path lock = data.resolve("lock").toRealPath();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.anyMatch(
          fd -> {
            try {
              return Files.readSymbolicLink(fd).equals(lock);
            } catch (IOException gone) {
              return false;
            }
          });
    } catch (IOException gone) {
      return false;
    }
  }

  /** Launches the node only once the loop is listing from the store, so the two race. */
  private static NodeProcess awaitFirstListingThenLaunch(LsLoop loop, Path data) throws Exception {
    await().atMost(LOOP_TIMEOUT).until(() -> loop.answered.get() > 0 || !loop.failed.isEmpty());
    return NodeProcess.launch(data);
  }

  /** {@code shoal ls --data DIR} back to back in a thread, keeping every run that failed. */
  private static final class LsLoop {
    final AtomicInteger answered = new AtomicInteger();
    final List<CliTest.Run> failed = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    private LsLoop(Path data) {
      this.thread = new Thread(() -> run(data), "ls-loop");
    }

    static LsLoop start(Path data) {
      LsLoop loop = new LsLoop(data);
      loop.thread.start();
      return loop;
    }

    private void run(Path data) {
      while (running) {
        CliTest.Run r = CliTest.shoal("ls", "--data", data.toString());
        if (r.code() == 0 && r.out().contains("orders")) {
          answered.incrementAndGet();
        } else {
          failed.add(r);
        }
      }
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(TimeUnit.SECONDS.toMillis(LOOP_TIMEOUT.toSeconds()));
    }
  }
}
