package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PoolChunkListMetric;
import io.netty.buffer.PoolChunkMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
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

  /**
   * A peer connection's chunk frames come from memory kept for them: the default allocator gives a
   * frame above 1 MiB fresh direct memory, zeroed by the JVM, every time.
   */
  @Test
  void chunkFrames_comeFromKeptMemory() {
    EmbeddedChannel ch = new EmbeddedChannel();
    try {
      pipeline().init(ch, false);
      assertThat(ch.alloc()).isSameAs(PeerPipeline.ALLOCATOR).isInstanceOf(PeerBuffers.class);
      PeerBuffers alloc = (PeerBuffers) ch.alloc();
      ch.alloc().directBuffer(CHUNK_FRAME_BYTES).release();
      long before = alloc.allocated();
      ByteBuf frame = ch.alloc().directBuffer(CHUNK_FRAME_BYTES);
      try {
        assertThat(alloc.allocated()).isEqualTo(before);
      } finally {
        frame.release();
      }
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  /**
   * Buffers below the frames' (TLS records, small frames) that come and go reuse the same arena
   * chunks: with Netty's 4 MiB chunks every chunk that four of them left empty was freed and the
   * next one mapped and zeroed afresh.
   */
  @Test
  void buffersThatComeAndGo_reuseTheArenaChunks() {
    PooledByteBufAllocator alloc = (PooledByteBufAllocator) PeerPipeline.ALLOCATOR;
    Set<PoolChunkMetric> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int round = 0; round < 20; round++) {
      List<ByteBuf> inFlight = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        inFlight.add(alloc.directBuffer(PeerBuffers.LARGE_BYTES - 1));
      }
      for (PoolArenaMetric arena : alloc.metric().directArenas()) {
        for (PoolChunkListMetric list : arena.chunkLists()) {
          list.forEach(seen::add);
        }
      }
      inFlight.forEach(ByteBuf::release);
    }
    // One chunk per arena this thread may have used, not one per round.
    assertThat(seen).hasSizeLessThanOrEqualTo(alloc.metric().numDirectArenas());
  }
}
