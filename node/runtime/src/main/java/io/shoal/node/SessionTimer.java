package io.shoal.node;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one timer of the transfer session's driver, armed at the session's next deadline and moved
 * only when that deadline moves. Transfer loop only.
 */
final class SessionTimer {
  private final EventLoop loop;
  private final Runnable onFire;
  private ScheduledFuture<?> timer;
  private long atNanos = Long.MAX_VALUE;

  SessionTimer(EventLoop loop, Runnable onFire) {
    this.loop = loop;
    this.onFire = onFire;
  }

  /** Fires at {@code deadlineNanos} ({@code Long.MAX_VALUE}: never) instead of when it would. */
  void arm(long deadlineNanos, long nowNanos) {
    if (deadlineNanos == atNanos) {
      return;
    }
    cancel();
    atNanos = deadlineNanos;
    if (deadlineNanos != Long.MAX_VALUE) {
      timer =
          loop.schedule(this::fire, Math.max(0, deadlineNanos - nowNanos), TimeUnit.NANOSECONDS);
    }
  }

  void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    atNanos = Long.MAX_VALUE;
  }

  private void fire() {
    timer = null;
    atNanos = Long.MAX_VALUE;
    onFire.run();
  }
}
