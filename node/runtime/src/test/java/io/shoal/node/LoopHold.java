package io.shoal.node;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;

/** Test helper: keeps an event loop busy until the test releases it, so its inputs pile up. */
final class LoopHold {
  private LoopHold() {}

  /** Returns once {@code loop} runs a task that waits for {@code release}. */
  static void until(Executor loop, CountDownLatch release) throws InterruptedException {
    CountDownLatch held = new CountDownLatch(1);
    loop.execute(
        () -> {
          held.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    held.await();
  }
}
