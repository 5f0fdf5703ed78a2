package io.shoal.node;

import io.shoal.node.net.PeerLink;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The node-wide download limit ({@code --download-limit}): one {@link TokenBucket} charged with the
 * wire bytes of every chunk frame received, from any peer. A connection whose frame leaves the
 * bucket in debt stops reading, and a timer on its own event loop turns reading on again once the
 * debt is paid back at the limit's rate: TCP then pushes back on the sender, nothing is dropped and
 * no event loop waits. The debt stays bounded: a paused connection delivers at most the frames it
 * had already decoded, and each of them pauses it again.
 *
 * <p>Reading may also be paused by a {@link ReadThrottle} of the same connection; whichever turns
 * it on again early, the next frame in debt turns it off again.
 *
 * <p>Thread-safe: {@link #received} on the I/O threads.
 */
final class DownloadThrottle {
  /** The bucket holds at least this much: the first requests of a fetch arrive unthrottled. */
  static final long MIN_BURST_BYTES = 1L << 20;

  /** Otherwise it holds this long's worth of the limit. */
  static final long BURST_NANOS = 100_000_000L;

  private final long rateBytesPerSecond;
  private final TokenBucket bucket;
  private final Set<PeerLink> resumePending = ConcurrentHashMap.newKeySet();

  /** A throttle at {@code rateBytesPerSecond}, 0 for none. */
  DownloadThrottle(long rateBytesPerSecond) {
    if (rateBytesPerSecond < 0) {
      throw new IllegalArgumentException("download limit " + rateBytesPerSecond + " B/s");
    }
    this.rateBytesPerSecond = rateBytesPerSecond;
    this.bucket =
        rateBytesPerSecond == 0
            ? null
            : new TokenBucket(
                rateBytesPerSecond,
                Math.max(MIN_BURST_BYTES, rateBytesPerSecond * BURST_NANOS / 1_000_000_000L));
  }

  /** The limit in force, 0 for none. */
  long rateBytesPerSecond() {
    return rateBytesPerSecond;
  }

  /** {@code link} delivered a frame of {@code wireBytes}: it stops reading while in debt. */
  void received(PeerLink link, int wireBytes) {
    if (bucket == null) {
      return;
    }
    long waitNanos;
    synchronized (bucket) {
      waitNanos = bucket.take(wireBytes, System.nanoTime());
    }
    if (waitNanos == 0) {
      return;
    }
    link.setAutoRead(false);
    if (!resumePending.add(link)) {
      return;
    }
    try {
      link.eventLoop().schedule(() -> resume(link), waitNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      resumePending.remove(link); // the node is stopping: the connection closes with it
    }
  }

  private void resume(PeerLink link) {
    resumePending.remove(link);
    link.setAutoRead(true);
  }
}
