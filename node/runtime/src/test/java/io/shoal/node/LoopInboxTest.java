package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.shoal.node.net.NodeMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopInboxTest {
  private final DefaultEventExecutor loop = new DefaultEventExecutor();
  private final NodeMetrics metrics = new NodeMetrics();
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger batches = new AtomicInteger();
  private final List<Integer> ran = new ArrayList<>();

  @AfterEach
  void stop() {
    release.countDown();
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** Keeps the loop busy until the test releases it, so inputs pile up. */
  private void blockLoop() throws InterruptedException {
    LoopHold.until(loop, release);
  }

  private LoopInbox inbox(int capacity) {
    return new LoopInbox(
        loop, capacity, metrics.tasksRefused.labelValues("test"), batches::incrementAndGet);
  }

  @Test
  void offer_pastCapacity_refusesAndCounts() throws InterruptedException {
    LoopInbox inbox = inbox(4);
    blockLoop();
    for (int i = 0; i < 4; i++) {
      assertThat(inbox.offer(() -> {})).as("offer %d of capacity 4", i + 1).isTrue();
    }
    assertThat(inbox.offer(() -> {})).as("an offer with capacity (4) inputs waiting").isFalse();
    assertThat(metrics.tasksRefused.labelValues("test").get())
        .as("shoal_tasks_refused_total{queue=\"test\"}")
        .isEqualTo(1);
    assertThat(inbox.size()).as("inputs waiting after a refusal").isEqualTo(4);
  }

  @Test
  void offer_afterPostsFillTheCapacity_isRefused() throws InterruptedException {
    LoopInbox inbox = inbox(4);
    blockLoop();
    for (int i = 0; i < 4; i++) {
      inbox.post(() -> {});
    }

    assertThat(inbox.offer(() -> {})).as("an offer with 4 posts waiting, capacity 4").isFalse();
    assertThat(metrics.tasksRefused.labelValues("test").get()).isEqualTo(1);
  }

  @Test
  void post_manyInputs_oneLoopTaskRunsThemInOrderWithOneBatchEnd() throws InterruptedException {
    LoopInbox inbox = inbox(1000);
    blockLoop();
    for (int i = 0; i < 100; i++) {
      int n = i;
      inbox.post(() -> ran.add(n));
    }
    assertThat(loop.pendingTasks()).as("tasks in the loop's own queue").isEqualTo(1);
    release.countDown();
    await().atMost(5, TimeUnit.SECONDS).until(() -> inbox.size() == 0 && batches.get() > 0);
    assertThat(batches.get()).isEqualTo(1);
    assertThat(ran).hasSize(100).isSorted();
  }

  @Test
  void post_moreThanABatch_yieldsAndRunsTheRestInTheNextBatch() throws InterruptedException {
    LoopInbox inbox = inbox(10_000);
    blockLoop();
    for (int i = 0; i < LoopInbox.BATCH_INPUTS + 1; i++) {
      int n = i;
      inbox.post(() -> ran.add(n));
    }
    release.countDown();
    await().atMost(5, TimeUnit.SECONDS).until(() -> batches.get() == 2);
    assertThat(ran).hasSize(LoopInbox.BATCH_INPUTS + 1).isSorted();
  }
}
