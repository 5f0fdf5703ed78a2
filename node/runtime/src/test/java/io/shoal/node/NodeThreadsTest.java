package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each worker pool refuses work past its queue, never queues without bound nor runs it inline. */
class NodeThreadsTest {
  private final NodeThreads threads = NodeThreads.start();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    threads.stopPools();
    threads.stopCommitter();
    threads.stopLoops();
  }

  static Stream<Arguments> pools() {
    return Stream.of(
        pool("workers", t -> t.workers, NodeThreads.WORKER_THREADS, NodeThreads.WORKER_QUEUE),
        pool(
            "transfer",
            t -> t.transferWorkers,
            NodeThreads.TRANSFER_THREADS,
            NodeThreads.TRANSFER_QUEUE),
        pool("verifiers", t -> t.verifiers, NodeThreads.VERIFY_THREADS, NodeThreads.VERIFY_QUEUE),
        pool(
            "mirror writers",
            t -> t.mirrorWriters,
            NodeThreads.MIRROR_THREADS,
            NodeThreads.MIRROR_QUEUE));
  }

  private static Arguments pool(
      String name, Function<NodeThreads, ThreadPoolExecutor> pool, int threads, int queue) {
    return Arguments.of(name, pool, threads, queue);
  }

  @ParameterizedTest(name = "{0}: {2} threads, {3} waiting")
  @MethodSource("pools")
  void execute_pastThreadsAndQueue_isRefused(
      String name, Function<NodeThreads, ThreadPoolExecutor> which, int size, int queue) {
    ThreadPoolExecutor pool = which.apply(threads);
    Thread caller = Thread.currentThread();
    for (int i = 0; i < size; i++) {
      pool.execute(this::awaitRelease); // each starts a thread of its own, not queued
    }
    for (int i = 0; i < queue; i++) {
      pool.execute(() -> {});
    }

    Throwable refusal =
        catchThrowable(
            () ->
                pool.execute(
                    () -> {
                      throw new AssertionError(name + " ran a refused task on " + caller);
                    }));

    assertThat(refusal)
        .as("%s pool with %d tasks running and %d waiting takes one more", name, size, queue)
        .isInstanceOf(RejectedExecutionException.class);
    assertThat(pool.getQueue().size()).as("%s tasks waiting", name).isEqualTo(queue);
  }

  private void awaitRelease() {
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
