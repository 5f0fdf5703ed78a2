package io.shoal.node.net;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NettyRuntime;
import io.netty.util.internal.PlatformDependent;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import java.util.function.Supplier;

/**
 * The handlers of every peer connection, incoming or outgoing: TLS when secured, flush
 * consolidation, an idle timeout, framing, the codec, the handshake, injected faults ({@link
 * LinkFaultHandler}), and the {@link PeerHandler}. Thread-safe.
 */
final class PeerPipeline {
  /** Send buffer marks: above the high mark a connection reports unwritable. */
  static final int WRITE_LOW_WATER_BYTES = 2 << 20;

  static final int WRITE_HIGH_WATER_BYTES = 8 << 20;

  static final int IDLE_CLOSE_SECONDS = 120;

  /** Netty's page and the tree depth above it that give {@link #ARENA_CHUNK_BYTES}. */
  private static final int PAGE_BYTES = 8192;

  private static final int MAX_ORDER = 12;

  static final int ARENA_CHUNK_BYTES = PAGE_BYTES << MAX_ORDER;

  /**
   * Arenas of {@link #ALLOCATOR}: enough for the event loops and transfer threads that allocate.
   */
  private static final int MAX_ARENAS = 4;

  /**
   * The buffers of every peer connection. Netty's default adaptive allocator pools nothing larger
   * than 1 MiB; a chunk frame is 1 MiB on average and up to 4 MiB, so its receive buffer, its
   * served copy and their TLS records came as fresh direct memory that the JVM zeroes: a sixth of a
   * restoring node's CPU, up to a fifth of a seeder's. A pooled allocator reuses its arenas' chunks
   * instead (a 1 GiB restore from 2 peers took 0.79x the CPU). Its arena chunks are {@link
   * #ARENA_CHUNK_BYTES}, not Netty's 4 MiB: an arena frees a chunk that its frames leave empty, so
   * with three 1.2 MiB frames to a chunk most chunks were still mapped and zeroed afresh; a 32 MiB
   * chunk stays while it holds less than a quarter (0.92x the CPU again; bench/README, "Peer
   * buffers"). What it holds is bounded by the frames in flight, which the transfer's windows
   * bound.
   */
  static final ByteBufAllocator ALLOCATOR = peerAllocator();

  private static ByteBufAllocator peerAllocator() {
    // Netty's own bound: every arena's three chunks fit in half the direct memory.
    long fit = PlatformDependent.maxDirectMemory() / ARENA_CHUNK_BYTES / 2 / 3;
    int arenas = (int) Math.min(Math.min(MAX_ARENAS, fit), NettyRuntime.availableProcessors() * 2L);
    if (arenas == 0) { // a JVM with little direct memory: Netty's pool of 4 MiB chunks
      return PooledByteBufAllocator.DEFAULT;
    }
    return new PooledByteBufAllocator(
        true,
        PooledByteBufAllocator.defaultNumHeapArena(),
        arenas,
        PAGE_BYTES,
        MAX_ORDER,
        PooledByteBufAllocator.defaultSmallCacheSize(),
        PooledByteBufAllocator.defaultNormalCacheSize(),
        PooledByteBufAllocator.defaultUseCacheForAllThreads());
  }

  private final String clusterId;
  private final NodeId selfId;
  private final PeerTls tls;
  private final NodeMetrics metrics;
  private final LogLimiter logLimiter;
  private final PeerTransport.Listener listener;
  private final Supplier<TransportFilter> filter;
  private final LinkFaults faults;
  private volatile Endpoint advertised;

  /**
   * @param tls null when the node runs insecure
   */
  PeerPipeline(
      String clusterId,
      NodeId selfId,
      PeerTls tls,
      NodeMetrics metrics,
      LogLimiter logLimiter,
      PeerTransport.Listener listener,
      Supplier<TransportFilter> filter,
      LinkFaults faults) {
    this.clusterId = clusterId;
    this.selfId = selfId;
    this.tls = tls;
    this.metrics = metrics;
    this.logLimiter = logLimiter;
    this.listener = listener;
    this.filter = filter;
    this.faults = faults;
  }

  /** The address the handshakes of connections set up from now on tell peers. */
  void advertise(Endpoint address) {
    this.advertised = address;
  }

  void init(Channel ch, boolean client) {
    ch.config().setAllocator(ALLOCATOR);
    if (tls != null) {
      ch.pipeline().addLast("tls", tls.newHandler(ch, client));
    }
    ch.pipeline()
        // Many small messages (chunk requests, have updates) leave in one syscall, not one each.
        .addLast(
            "flush",
            new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true))
        .addLast("idle", new IdleStateHandler(0, 0, IDLE_CLOSE_SECONDS))
        .addLast("frames", FrameCodec.frameDecoder())
        .addLast("decode", new FrameCodec.MessageDecoder(metrics))
        .addLast("encode", new FrameCodec.MessageEncoder(metrics))
        .addLast(
            "handshake",
            new HandshakeHandler(
                new HandshakeHandler.Identity(clusterId, selfId, advertised),
                metrics,
                logLimiter,
                tls == null ? null : tls.trustManager()))
        .addLast("faults", new LinkFaultHandler(faults, metrics))
        .addLast("peer", new PeerHandler(listener, filter, metrics, logLimiter));
  }
}
