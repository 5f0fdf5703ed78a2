package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PoolArenaMetric;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PeerBuffersTest {
  /** A chunk frame of about the average size, with the decoder's room for the next one. */
  private static final int FRAME_BYTES =
      (1 << 20) + (200 << 10) + FrameDecoder.NEXT_FRAME_SLACK_BYTES;

  private static final long IDLE_BYTES = 64L << 20;

  private static PeerBuffers buffers() {
    return new PeerBuffers(1, 8192, 12, IDLE_BYTES);
  }

  private static long arenaAllocations(PeerBuffers alloc) {
    return alloc.metric().directArenas().stream().mapToLong(PoolArenaMetric::numAllocations).sum();
  }

  /**
   * A restore's frames queue up for the verifiers and drain, again and again: the memory of the
   * first queue serves every later one, where the arenas freed each chunk the queue left empty and
   * mapped and zeroed a new one for the next.
   */
  @Test
  void framesQueuedAndDrained_reuseTheMemoryOfTheFirstQueue() {
    PeerBuffers alloc = buffers();
    int queued = 40; // 53 MiB: within the idle bound
    for (int round = 0; round < 10; round++) {
      Deque<ByteBuf> queue = new ArrayDeque<>();
      for (int i = 0; i < queued; i++) {
        queue.add(alloc.directBuffer(FRAME_BYTES - (i % 7) * 1024));
      }
      queue.forEach(ByteBuf::release);
    }
    assertThat(alloc.allocated()).isEqualTo(queued);
    assertThat(arenaAllocations(alloc)).isZero();
  }

  @Test
  void idleMemory_staysWithinItsBound() {
    PeerBuffers alloc = buffers();
    List<ByteBuf> frames = new ArrayList<>();
    for (int i = 0; i < 100; i++) { // 127 MiB at once
      frames.add(alloc.directBuffer(FRAME_BYTES));
    }
    frames.forEach(ByteBuf::release);
    assertThat(alloc.idleBytes()).isPositive().isLessThanOrEqualTo(IDLE_BYTES);
    assertThat(alloc.allocated()).isEqualTo(100);
  }

  /** A kept buffer serves a request it fits with at most a quarter to spare; not a small one. */
  @Test
  void keptMemory_servesOnlyARequestItFitsClosely() {
    PeerBuffers alloc = buffers();
    alloc.directBuffer(4 << 20).release();
    alloc.directBuffer(1 << 20).release(); // 4 MiB for 1 MiB: too much to spare
    assertThat(alloc.allocated()).isEqualTo(2);
    ByteBuf closeFit = alloc.directBuffer((7 << 20) / 2);
    try {
      assertThat(alloc.allocated()).isEqualTo(2);
      assertThat(closeFit.capacity()).isEqualTo((7 << 20) / 2);
      assertThat(alloc.idleBytes()).isEqualTo(1 << 20);
    } finally {
      closeFit.release();
    }
  }

  @Test
  void smallBuffers_comeFromTheArenas() {
    PeerBuffers alloc = buffers();
    ByteBuf record = alloc.directBuffer(PeerBuffers.LARGE_BYTES - 1);
    try {
      assertThat(arenaAllocations(alloc)).isEqualTo(1);
      assertThat(alloc.allocated()).isZero();
    } finally {
      record.release();
    }
    assertThat(alloc.idleBytes()).isZero();
  }

  /** Bytes written go where they are read, whatever the memory held before it was kept. */
  @Test
  void reusedMemory_holdsWhatIsWrittenToIt() {
    PeerBuffers alloc = buffers();
    ByteBuf first = alloc.directBuffer(FRAME_BYTES);
    first.writeBytes(new byte[FRAME_BYTES]);
    first.release();
    ByteBuf second = alloc.directBuffer(FRAME_BYTES);
    try {
      assertThat(second.readableBytes()).isZero();
      byte[] pattern = new byte[FRAME_BYTES];
      for (int i = 0; i < pattern.length; i++) {
        pattern[i] = (byte) (i * 31 + 7);
      }
      second.writeBytes(pattern);
      byte[] back = new byte[FRAME_BYTES];
      second.getBytes(0, back);
      assertThat(back).isEqualTo(pattern);
      assertThat(alloc.allocated()).isEqualTo(1);
    } finally {
      second.release();
    }
  }

  /** A kept buffer written past its capacity grows into memory of its own; the kept one returns. */
  @Test
  void aKeptBufferThatGrows_stillGivesItsMemoryBack() {
    PeerBuffers alloc = buffers();
    ByteBuf buf = alloc.directBuffer(PeerBuffers.LARGE_BYTES);
    byte[] fives = new byte[PeerBuffers.LARGE_BYTES + 1];
    Arrays.fill(fives, (byte) 5);
    buf.writeBytes(fives);
    assertThat(buf.capacity()).isGreaterThan(PeerBuffers.LARGE_BYTES);
    assertThat(buf.getByte(0)).isEqualTo((byte) 5);
    assertThat(buf.getByte(PeerBuffers.LARGE_BYTES)).isEqualTo((byte) 5);
    buf.release();
    assertThat(alloc.idleBytes()).isEqualTo(PeerBuffers.LARGE_BYTES);
  }

  /** Verifier and output threads release frames the event loops took, all at once. */
  @Test
  void framesReleasedOnManyThreads_areEachKeptOnce() throws Exception {
    PeerBuffers alloc = buffers();
    List<ByteBuf> frames = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      frames.add(alloc.directBuffer(1 << 20));
    }
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      frames.forEach(f -> threads.execute(f::release));
    } finally {
      threads.shutdown();
      assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(alloc.idleBytes()).isEqualTo(32L << 20);
    List<ByteBuf> again = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      again.add(alloc.directBuffer(1 << 20));
    }
    again.forEach(ByteBuf::release);
    assertThat(alloc.allocated()).isEqualTo(32);
  }
}
