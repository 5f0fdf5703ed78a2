package io.shoal.chunkstore.snapshot;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * A small process-wide pool of direct buffers for the bulk paths (publish, materialize), so a
 * long-running node does not leave a trail of direct memory for the GC to find. Buffers beyond the
 * pool's bound are simply dropped.
 */
final class DirectBuffers {
  static final int POOLED_BUFFERS = 16;

  private static final ArrayBlockingQueue<ByteBuffer> POOL =
      new ArrayBlockingQueue<>(POOLED_BUFFERS);

  private DirectBuffers() {}

  /** A cleared direct buffer of at least {@code capacity} bytes, limited to {@code capacity}. */
  static ByteBuffer take(int capacity) {
    ByteBuffer b = POOL.poll();
    if (b == null || b.capacity() < capacity) {
      b = ByteBuffer.allocateDirect(capacity);
    }
    return b.clear().limit(capacity);
  }

  static void give(ByteBuffer b) {
    if (b != null && b.isDirect()) {
      POOL.offer(b);
    }
  }
}
