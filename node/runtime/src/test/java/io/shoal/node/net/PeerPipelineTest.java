package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PoolChunkListMetric;
import io.netty.buffer.PoolChunkMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.membership.CatalogSyncRequest;
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

  private static long pooledDirectAllocations() {
    return ((PooledByteBufAllocator) PeerPipeline.ALLOCATOR)
        .metric().directArenas().stream().mapToLong(PoolArenaMetric::numNormalAllocations).sum();
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
      assertThat(ch.alloc())
          .isSameAs(PeerPipeline.ALLOCATOR)
          .isInstanceOf(PooledByteBufAllocator.class);
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

  /**
   * Frames that come and go, as a restore's do, reuse the same arena chunks: with Netty's 4 MiB
   * chunks every chunk that its frames left empty was freed and the next one mapped and zeroed
   * afresh, about one per three frames.
   */
  @Test
  void framesThatComeAndGo_reuseTheArenaChunks() {
    PooledByteBufAllocator alloc = (PooledByteBufAllocator) PeerPipeline.ALLOCATOR;
    Set<PoolChunkMetric> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int round = 0; round < 20; round++) {
      List<ByteBuf> inFlight = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        inFlight.add(alloc.directBuffer(CHUNK_FRAME_BYTES));
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

  /**
   * An authenticated connection over which nothing moves for {@link
   * PeerPipeline#IDLE_CLOSE_SECONDS} is closed, so a peer that vanished without closing its socket
   * does not hold the connection for ever; a message that arrives starts the wait again.
   */
  @Test
  void quietConnection_isClosedAfterTheIdleTimeout_andAMessageKeepsItOpen() {
    EmbeddedChannel ch = // the handlers in place before the channel is active, as on a socket
        new EmbeddedChannel(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel c) {
                PeerPipeline p = pipeline();
                p.advertise(new Endpoint("127.0.0.1", 7421));
                p.init(c, false);
              }
            });
    try {
      ch.writeInbound(
          new Handshake.Hello(
              WireProtocol.MIN_VERSION,
              WireProtocol.MAX_VERSION,
              "default",
              new NodeId(2, 2),
              new Endpoint("127.0.0.1", 7420)));
      assertThat(ch.attr(PeerHandler.PEER).get()).as("the peer, authenticated").isNotNull();
      long almost = PeerPipeline.IDLE_CLOSE_SECONDS - 20;

      ch.advanceTimeBy(almost, TimeUnit.SECONDS);
      ch.runScheduledPendingTasks();
      assertThat(ch.isOpen()).as("quiet for %s s", almost).isTrue();
      ch.writeInbound(CatalogSyncRequest.start());
      ch.advanceTimeBy(almost, TimeUnit.SECONDS);
      ch.runScheduledPendingTasks();
      assertThat(ch.isOpen()).as("quiet for %s s since the message", almost).isTrue();
      ch.advanceTimeBy(21, TimeUnit.SECONDS);
      ch.runScheduledPendingTasks();
      assertThat(ch.isOpen()).as("quiet for %s s", almost + 21).isFalse();
    } finally {
      ch.finishAndReleaseAll();
    }
  }
}
