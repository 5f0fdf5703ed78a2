package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.node.net.RetryLaterException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExclusiveWorkerTest {
  static final Duration BOUND = Duration.ofSeconds(10);

  @Test
  void submit_whileATaskRuns_isRefusedWithRetryAfter_andRunsOnceItEnds() throws Exception {
    try (ExclusiveWorker worker = new ExclusiveWorker("test-worker", "busy verifying", 7)) {
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<String> first =
          worker.submit(
              () -> {
                started.countDown();
                release.await();
                return "first";
              });
      assertThat(started.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();

      CompletableFuture<String> second = worker.submit(() -> "second");

      assertThat(second).as("refused at once, not queued").isCompletedExceptionally();
      assertThatThrownBy(second::join)
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(RetryLaterException.class)
          .hasMessage("busy verifying")
          .satisfies(e -> assertThat(((RetryLaterException) e).retryAfterSeconds()).isEqualTo(7));
      release.countDown();
      assertThat(first.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("first");
      assertThat(worker.submit(() -> "third").get(BOUND.toSeconds(), TimeUnit.SECONDS))
          .isEqualTo("third");
    }
  }

  @Test
  void submit_aTaskThatThrows_failsItsFutureAndFreesTheWorker() throws Exception {
    try (ExclusiveWorker worker = new ExclusiveWorker("test-worker", "busy", 1)) {
      CompletableFuture<String> failed =
          worker.submit(
              () -> {
                throw new java.io.IOException("disk gone");
              });
      assertThatThrownBy(() -> failed.get(BOUND.toSeconds(), TimeUnit.SECONDS))
          .hasRootCauseMessage("disk gone");
      assertThat(worker.submit(() -> "next").get(BOUND.toSeconds(), TimeUnit.SECONDS))
          .isEqualTo("next");
    }
  }
}
