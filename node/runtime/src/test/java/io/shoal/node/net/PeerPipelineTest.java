package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.shoal.gossip.NodeId;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PeerPipelineTest {
  /** A chunk frame of about the average size, above the adaptive allocator's 1 MiB pooled bound. */
  private static final int CHUNK_FRAME_BYTES = (1 << 20) + (200 << 10);

  private static PeerPipeline pipeline() {
    return new PeerPipeline(
        "default",
        new NodeId(1, 1),
        null,
        new NodeMetrics(),
        new LogLimiter(TimeUnit.MINUTES.toNanos(1)),
        (from, fromAddress, link, message) -> {},
        TransportFilter::allowAll,
        new LinkFaults());
  }

  private static long pooledDirectAllocations() {
    return PooledByteBufAllocator.DEFAULT.metric().directArenas().stream()
        .mapToLong(PoolArenaMetric::numNormalAllocations)
        .sum();
  }

  /**
   * A peer connection's chunk frames come from an arena that reuses its memory: the default
   * allocator gives a frame above 1 MiB fresh direct memory, zeroed by the JVM, every time.
   */
  @Test
  void chunkFrames_comeFromThePooledArenas() {
    EmbeddedChannel ch = new EmbeddedChannel();
    try {
      pipeline().init(ch, false);
      assertThat(ch.alloc()).isSameAs(PooledByteBufAllocator.DEFAULT);
      long before = pooledDirectAllocations();
      ByteBuf frame = ch.alloc().directBuffer(CHUNK_FRAME_BYTES);
      try {
        assertThat(pooledDirectAllocations()).isEqualTo(before + 1);
      } finally {
        frame.release();
      }
    } finally {
      ch.finishAndReleaseAll();
    }
  }
}
