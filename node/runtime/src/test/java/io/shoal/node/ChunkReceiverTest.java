package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.VerifiedChunk;
import io.shoal.gossip.NodeId;
import io.shoal.node.net.ChunkFrame;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerFixtures;
import io.shoal.node.net.PeerLink;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Backpressure from the verifiers to the sockets, and what a full verifier pool costs a reply. */
class ChunkReceiverTest {
  private static final NodeId PEER = new NodeId(1, 2);
  private static final ChunkId ID = VerifiedChunk.hash(HashAlgorithm.XXH128, new byte[] {1}).id();

  private final NodeMetrics metrics = new NodeMetrics();
  private final Deque<Runnable> verifying = new ArrayDeque<>();
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final PeerLink link = PeerFixtures.link(channel, PEER);

  private final ChunkReceiver.Outcome outcome =
      new ChunkReceiver.Outcome() {
        @Override
        public void onReply(
            FetchJob job, NodeId from, long requestId, boolean verified, int wireBytes) {}

        @Override
        public void onWriteFailed(FetchJob job, IOException why) {
          throw new AssertionError("nothing is written: the frames' bytes do not verify", why);
        }
      };

  /** A reply from PEER to request {@code requestId}, whose bytes do not hash to what it names. */
  private static ChunkFrame arrive(ChunkReceiver receiver, PeerLink link, long requestId) {
    receiver.requested(requestId, null, ID, List.of(), PEER);
    ChunkFrame frame = PeerFixtures.frame(requestId, ID, new byte[] {9});
    receiver.onFrame(PEER, link, frame);
    return frame;
  }

  private boolean reading() {
    return channel.config().isAutoRead();
  }

  @Test
  void onFrame_pastPauseFrames_stopsReadingUntilTheVerifiersAreDownToResume() {
    ChunkReceiver receiver =
        new ChunkReceiver(null, null, verifying::add, new DownloadThrottle(0), metrics, outcome);
    for (int i = 0; i < ChunkReceiver.PAUSE_READING_FRAMES; i++) {
      arrive(receiver, link, i);
    }
    assertThat(reading())
        .as("reading with PAUSE_READING_FRAMES (%d) waiting", ChunkReceiver.PAUSE_READING_FRAMES)
        .isTrue();

    arrive(receiver, link, ChunkReceiver.PAUSE_READING_FRAMES);
    assertThat(reading())
        .as("reading with one frame past PAUSE_READING_FRAMES waiting for the verifiers")
        .isFalse();

    while (receiver.queued() > ChunkReceiver.RESUME_READING_FRAMES + 1) {
      verifying.remove().run();
    }
    assertThat(reading())
        .as("reading with RESUME_READING_FRAMES + 1 (%d) waiting", receiver.queued())
        .isFalse();
    verifying.remove().run();
    assertThat(reading())
        .as(
            "reading again once the verifiers are down to RESUME_READING_FRAMES (%d)",
            ChunkReceiver.RESUME_READING_FRAMES)
        .isTrue();
  }

  @Test
  void onFrame_verifierPoolRefuses_releasesTheFrameAndCountsVerify() {
    Executor full =
        task -> {
          throw new RejectedExecutionException("the verifier queue is full");
        };
    ChunkReceiver receiver =
        new ChunkReceiver(null, null, full, new DownloadThrottle(0), metrics, outcome);

    ChunkFrame frame = arrive(receiver, link, 1);

    assertThat(metrics.tasksRefused.labelValues("verify").get())
        .as("shoal_tasks_refused_total{queue=\"verify\"}")
        .isEqualTo(1);
    assertThat(frame.refCnt()).as("references left to the refused frame (a leak)").isZero();
    assertThat(receiver.queued()).as("frames counted as waiting for a verifier").isZero();
  }
}
