package io.shoal.node;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.IntSupplier;

/**
 * Backpressure from a queue of peer inputs to the sockets that feed it: a connection that delivers
 * while the queue is above {@code pauseAt} stops reading (TCP then pushes back on the sender), and
 * every paused connection reads again once the queue is down to {@code resumeAt}. Nothing is
 * dropped and no work runs on the loop that read it; the queue overshoots {@code pauseAt} by at
 * most what the paused connections had already decoded.
 *
 * <p>Thread-safe: {@link #delivered} on I/O threads, {@link #drained} on the consumer's thread.
 *
 * @param <L> a connection ({@link io.shoal.node.net.PeerLink} in the node)
 */
final class ReadThrottle<L> {
  private final int pauseAt;
  private final int resumeAt;
  private final IntSupplier queued;
  private final BiConsumer<L, Boolean> setAutoRead;
  private final Set<L> paused = ConcurrentHashMap.newKeySet();

  /**
   * @param queued the queue's current length
   * @param setAutoRead stops ({@code false}) or resumes ({@code true}) reading from a connection
   */
  ReadThrottle(int pauseAt, int resumeAt, IntSupplier queued, BiConsumer<L, Boolean> setAutoRead) {
    if (resumeAt < 0 || resumeAt >= pauseAt) {
      throw new IllegalArgumentException("resumeAt " + resumeAt + " / pauseAt " + pauseAt);
    }
    this.pauseAt = pauseAt;
    this.resumeAt = resumeAt;
    this.queued = queued;
    this.setAutoRead = setAutoRead;
  }

  /** {@code link} delivered an input just queued: it stops reading if the queue is too long. */
  void delivered(L link) {
    if (queued.getAsInt() <= pauseAt) {
      return;
    }
    if (paused.add(link)) {
      setAutoRead.accept(link, false);
    }
    // The consumer may have drained between the check and the pause: never stay paused for it.
    drained();
  }

  /** The consumer took inputs off the queue: paused connections read again once it is short. */
  void drained() {
    if (paused.isEmpty() || queued.getAsInt() > resumeAt) {
      return;
    }
    for (Iterator<L> it = paused.iterator(); it.hasNext(); ) {
      L link = it.next();
      it.remove();
      setAutoRead.accept(link, true);
    }
  }

  /** Connections not reading now. */
  int pausedCount() {
    return paused.size();
  }
}
