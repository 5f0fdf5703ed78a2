package io.shoal.chunkstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreLockTest {
  /** Long enough that a test never meets it unless the wait is broken. */
  static final long LONG_WAIT_MILLIS = 30_000;

  /** A short bound, for the test that goes past it. */
  static final long SHORT_WAIT_MILLIS = 300;

  /** How long the waiter is seen still waiting before the holder lets go. */
  static final Duration STILL_WAITING = Duration.ofMillis(300);

  static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private Process holder;

  @AfterEach
  void stopHolder() throws InterruptedException {
    if (holder != null) {
      holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void acquire_heldByAnotherChannel_waitsAndTakesItWhenReleased() throws Exception {
    FileChannel other =
        FileChannel.open(
            dir.resolve("lock"),
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    FileLock held = other.lock();
    CompletableFuture<StoreLock> waiter = acquireAsync(LONG_WAIT_MILLIS);
    await()
        .during(STILL_WAITING)
        .atMost(STILL_WAITING.multipliedBy(3))
        .until(() -> !waiter.isDone());
    held.release();
    other.close();
    try (StoreLock taken = waiter.get(30, TimeUnit.SECONDS)) {
      assertThat(taken).isNotNull();
    }
  }

  @Test
  void acquire_heldByAnotherProcess_waitsAndTakesItWhenReleased() throws Exception {
    long pid = startHolder();
    CompletableFuture<StoreLock> waiter = acquireAsync(LONG_WAIT_MILLIS);
    await()
        .during(STILL_WAITING)
        .atMost(STILL_WAITING.multipliedBy(3))
        .until(() -> !waiter.isDone());
    holder.getOutputStream().close();
    try (StoreLock taken = waiter.get(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      assertThat(lockFilePid()).isEqualTo(ProcessHandle.current().pid()).isNotEqualTo(pid);
    }
  }

  @Test
  void acquire_heldPastTheBound_failsNamingTheHolder() throws Exception {
    long pid = startHolder();
    long startNanos = System.nanoTime();
    assertThatThrownBy(() -> StoreLock.acquire(dir, SHORT_WAIT_MILLIS))
        .isInstanceOf(StoreLockedException.class)
        .hasMessage("store " + dir + " is in use by another shoal process (pid " + pid + ")")
        .satisfies(e -> assertThat(((StoreLockedException) e).holderPid()).hasValue(pid));
    assertThat(System.nanoTime() - startNanos)
        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(SHORT_WAIT_MILLIS));
  }

  @Test
  void acquire_noWait_failsAtOnce() throws Exception {
    long pid = startHolder();
    assertThatThrownBy(() -> StoreLock.acquire(dir))
        .isInstanceOf(StoreLockedException.class)
        .hasMessageContaining("(pid " + pid + ")");
  }

  private CompletableFuture<StoreLock> acquireAsync(long waitMillis) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return StoreLock.acquire(dir, waitMillis);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  /** Starts a process that holds the store's lock; returns its pid once it holds it. */
  private long startHolder() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    holder =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                StoreLockHolder.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    long pid = holder.pid();
    await().atMost(PROCESS_TIMEOUT).until(() -> lockFilePid() == pid);
    return pid;
  }

  private long lockFilePid() throws IOException {
    try {
      String text = Files.readString(dir.resolve("lock"), StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? -1 : Long.parseLong(text);
    } catch (NoSuchFileException e) {
      return -1;
    }
  }
}
