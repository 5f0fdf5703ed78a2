package io.shoal.node.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.util.internal.CleanableDirectBuffer;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers' allocator: Netty's pooled arenas for buffers under {@link #LARGE_BYTES}, and for a
 * larger direct buffer (a chunk frame received or served, OpenSSL's output) memory that is kept
 * when released and handed out again. A restore's frames queue up for the verifiers, the store and
 * the output (100-170 MiB at the peak of a secured 1 GiB restore) and drain; an arena frees a chunk
 * its buffers leave empty, so every new queue was fresh memory, mapped and zeroed: a quarter of the
 * example's restoring replica's event-loop CPU (Netty keeps no empty direct chunk). Kept memory is
 * reused for a request it fits with at most a quarter to spare.
 *
 * <p>Bounded: at most {@link #maxIdleBytes()} idle, in at most {@link #MAX_IDLE_BUFFERS} buffers;
 * past that the longest idle is freed. Idle memory stays until then: after a transfer a node holds
 * at most that much more than it uses. Thread-safe: buffers are released on the verifier and output
 * threads, not only the event loops.
 */
final class PeerBuffers extends PooledByteBufAllocator {
  /** Direct buffers of this size and more are kept when released; smaller ones come from arenas. */
  static final int LARGE_BYTES = 256 << 10;

  /** Kept memory comes in multiples of this, so that frames of nearby sizes share it. */
  static final int GRAIN_BYTES = 64 << 10;

  static final int MAX_IDLE_BUFFERS = 256;

  private final long maxIdleBytes;
  private final List<CleanableDirectBuffer> idle = new ArrayList<>(); // longest idle first
  private long idleBytes;
  private long allocated;

  PeerBuffers(int arenas, int pageBytes, int maxOrder, long maxIdleBytes) {
    super(
        true,
        defaultNumHeapArena(),
        arenas,
        pageBytes,
        maxOrder,
        defaultSmallCacheSize(),
        defaultNormalCacheSize(),
        defaultUseCacheForAllThreads());
    this.maxIdleBytes = maxIdleBytes;
  }

  @Override
  protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
    if (initialCapacity < LARGE_BYTES) {
      return super.newDirectBuffer(initialCapacity, maxCapacity);
    }
    CleanableDirectBuffer memory = reuse(initialCapacity);
    if (memory == null) {
      memory = PlatformDependent.allocateDirect(roundUp(initialCapacity));
      synchronized (this) {
        allocated++;
      }
    }
    ByteBuffer view = memory.buffer().duplicate().clear().limit(initialCapacity);
    Kept buf = new Kept(this, memory, view, maxCapacity);
    buf.clear(); // a wrapped buffer starts full of what the memory held: this one starts empty
    return toLeakAwareBuffer(buf);
  }

  /** The most idle bytes kept. */
  long maxIdleBytes() {
    return maxIdleBytes;
  }

  /** Idle bytes kept now. */
  synchronized long idleBytes() {
    return idleBytes;
  }

  /** Large buffers allocated afresh so far (not reused). */
  synchronized long allocated() {
    return allocated;
  }

  private synchronized CleanableDirectBuffer reuse(int bytes) {
    int best = -1;
    long most = bytes + (long) bytes / 4;
    for (int i = 0; i < idle.size(); i++) {
      int capacity = idle.get(i).buffer().capacity();
      if (capacity >= bytes && capacity <= most) {
        best = i;
        most = capacity;
      }
    }
    if (best < 0) {
      return null;
    }
    CleanableDirectBuffer memory = idle.remove(best);
    idleBytes -= memory.buffer().capacity();
    return memory;
  }

  private void giveBack(CleanableDirectBuffer memory) {
    List<CleanableDirectBuffer> freed = new ArrayList<>(1);
    synchronized (this) {
      idle.add(memory);
      idleBytes += memory.buffer().capacity();
      while (idleBytes > maxIdleBytes || idle.size() > MAX_IDLE_BUFFERS) {
        CleanableDirectBuffer oldest = idle.remove(0);
        idleBytes -= oldest.buffer().capacity();
        freed.add(oldest);
      }
    }
    freed.forEach(CleanableDirectBuffer::clean);
  }

  private static int roundUp(int bytes) {
    long rounded = ((long) bytes + GRAIN_BYTES - 1) / GRAIN_BYTES * GRAIN_BYTES;
    return (int) Math.min(rounded, Integer.MAX_VALUE);
  }

  /**
   * A buffer over kept memory that gives it back when its last reference goes. Should it grow,
   * Netty moves it to memory of its own and frees that; the kept memory still goes back.
   */
  private static final class Kept extends UnpooledDirectByteBuf {
    private final PeerBuffers owner;
    private CleanableDirectBuffer memory;

    Kept(PeerBuffers owner, CleanableDirectBuffer memory, ByteBuffer view, int maxCapacity) {
      super(owner, view, maxCapacity);
      this.owner = owner;
      this.memory = memory;
    }

    @Override
    protected void deallocate() {
      super.deallocate();
      CleanableDirectBuffer kept = memory;
      memory = null;
      if (kept != null) {
        owner.giveBack(kept);
      }
    }
  }
}
