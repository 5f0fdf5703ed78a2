package io.shoal.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Records what Netty's leak detectors report. Kept apart from {@link NettyLeakCheck} so that the
 * check loads where Netty is absent.
 */
final class NettyLeaks {
  /** Most collections to wait for before concluding what the collector found. */
  static final int MAX_GC_ROUNDS = 10;

  /** How long one collection may take to clear the sentinel, in milliseconds. */
  static final long GC_WAIT_MILLIS = 500;

  private static final List<String> reported = new ArrayList<>();
  private static boolean installed;

  private NettyLeaks() {}

  /** Makes every leak detector created from now on record its reports (once per JVM). */
  static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
  }

  /** Forces the reports of everything unreleased so far and returns them, clearing the record. */
  static List<String> collect() {
    for (int round = 0; round < 3; round++) {
      collectGarbage();
      touch(PooledByteBufAllocator.DEFAULT);
      touch(UnpooledByteBufAllocator.DEFAULT);
      touch(ByteBufAllocator.DEFAULT);
    }
    synchronized (NettyLeaks.class) {
      List<String> out = new ArrayList<>(reported);
      reported.clear();
      return out;
    }
  }

  /** Allocating through a tracked allocator makes its detector report what was collected. */
  private static void touch(ByteBufAllocator allocator) {
    for (int i = 0; i < 4; i++) {
      ByteBuf heap = allocator.heapBuffer(1);
      heap.release();
      ByteBuf direct = allocator.directBuffer(1);
      direct.release();
    }
  }

  private static void collectGarbage() {
    ReferenceQueue<Object> queue = new ReferenceQueue<>();
    WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
    for (int i = 0; i < MAX_GC_ROUNDS && !sentinel.refersTo(null); i++) {
      System.gc();
    }
    try {
      // The reference handler enqueues what one collection cleared in one batch; once the
      // sentinel is enqueued, so are the leak trackers cleared with it.
      queue.remove(GC_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static synchronized void record(String report) {
    reported.add(report);
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    @SuppressWarnings("deprecation") // the factory's one abstract method is the deprecated form
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      return new RecordingDetector<>(resource, samplingInterval);
    }

    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval) {
      return new RecordingDetector<>(resource, samplingInterval);
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<?> resourceType, int samplingInterval) {
      super(resourceType, samplingInterval);
    }

    @Override
    protected boolean needReport() {
      return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      record("LEAK: " + resourceType + " was not released:" + records);
      super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      record("LEAK: " + resourceType + " was not released (no access records)");
      super.reportUntracedLeak(resourceType);
    }
  }
}
