package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.shoal.gossip.NodeId;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerFixtures;
import io.shoal.node.net.PeerLink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transfer loop's bounds on what peers send: pause reading, then refuse, and count it. */
class TransferInboxTest {
  /** After a batch: inputs still waiting, and whether the peer's connection reads. */
  record AfterBatch(int waiting, boolean reading) {}

  private final DefaultEventLoop loop = new DefaultEventLoop();
  private final NodeMetrics metrics = new NodeMetrics();
  private final CountDownLatch release = new CountDownLatch(1);
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final PeerLink link = PeerFixtures.link(channel, new NodeId(1, 2));
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger ran = new AtomicInteger();
  private final List<AfterBatch> batches = new CopyOnWriteArrayList<>();
  private final TransferInbox inbox = new TransferInbox(loop, metrics, now -> afterBatch());

  @AfterEach
  void stop() {
    inbox.close();
    release.countDown();
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private void afterBatch() {
    batches.add(new AfterBatch(sent.get() - ran.get(), channel.config().isAutoRead()));
  }

  /** Keeps the loop busy until the test releases it, so inputs pile up. */
  private void blockLoop() throws InterruptedException {
    LoopHold.until(loop, release);
  }

  private boolean fromPeer() {
    boolean taken = inbox.fromPeer(link, now -> ran.incrementAndGet());
    if (taken) {
      sent.incrementAndGet();
    }
    return taken;
  }

  @Test
  void fromPeer_pastPeerInputs_isRefusedAndCountedAsTransferPeer() throws InterruptedException {
    blockLoop();
    for (int i = 0; i < TransferInbox.PEER_INPUTS; i++) {
      assertThat(fromPeer()).as("peer input %d of PEER_INPUTS", i + 1).isTrue();
    }

    assertThat(fromPeer())
        .as("a peer input with PEER_INPUTS (%d) waiting", TransferInbox.PEER_INPUTS)
        .isFalse();
    assertThat(metrics.tasksRefused.labelValues("transfer_peer").get())
        .as("shoal_tasks_refused_total{queue=\"transfer_peer\"}")
        .isEqualTo(1);
  }

  @Test
  void fromPeer_pastPauseReadingInputs_stopsReadingUntilDrainedToResumeReadingInputs()
      throws InterruptedException {
    blockLoop();
    for (int i = 0; i < TransferInbox.PAUSE_READING_INPUTS; i++) {
      fromPeer();
    }
    assertThat(channel.config().isAutoRead())
        .as("reading with PAUSE_READING_INPUTS (%d) waiting", TransferInbox.PAUSE_READING_INPUTS)
        .isTrue();
    // Batches of 256 then leave 1024, 768, 512, 256 and 0 waiting: the resume level is one of them.
    for (int i = 0; i < TransferInbox.RESUME_READING_INPUTS; i++) {
      fromPeer();
    }
    assertThat(channel.config().isAutoRead())
        .as("reading with more than PAUSE_READING_INPUTS waiting")
        .isFalse();

    release.countDown();
    await().atMost(5, TimeUnit.SECONDS).until(() -> ran.get() == sent.get() && !batches.isEmpty());
    assertThat(batches)
        .as("after each batch: waiting, and reading again only at RESUME_READING_INPUTS or fewer")
        .containsExactly(
            new AfterBatch(1024, false),
            new AfterBatch(768, false),
            new AfterBatch(512, false),
            new AfterBatch(256, true),
            new AfterBatch(0, true));
  }
}
