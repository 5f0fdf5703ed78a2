package io.shoal.node;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.shoal.node.net.NodeMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures how late each event loop runs its tasks: a probe task is due on every loop every {@link
 * #INTERVAL_MILLIS}, and the delay from when it was due to when it ran goes into {@code
 * shoal_event_loop_delay_seconds{loop="i"}}. A loop that was stuck for a long time ran no probe
 * meanwhile, so the probes it missed are recorded too (the delay each would have seen, as a
 * load-generator corrects for coordinated omission), up to {@link #MAX_MISSED_SAMPLES}: one stall
 * of a second counts as the hundred late probes it stands for, not as one sample among thousands.
 *
 * <p>Each probe is one scheduled task on its loop; stopped with the loops.
 */
final class LoopProbe {
  /** Time between two probes of a loop. */
  static final long INTERVAL_MILLIS = 10;

  /** Missed probes recorded after a stall, at most (a stall of 10 s at the interval). */
  static final int MAX_MISSED_SAMPLES = 1000;

  /** A probe this late is logged (at most once per loop per {@link #STALL_LOG_EVERY_SECONDS}). */
  static final long STALL_LOG_MILLIS = 200;

  static final long STALL_LOG_EVERY_SECONDS = 60;

  private static final Logger log = LoggerFactory.getLogger(LoopProbe.class);
  private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);

  private final List<Probe> probes = new ArrayList<>();
  private volatile boolean stopped;

  /** Starts probing every loop of {@code loops}. */
  static LoopProbe start(EventLoopGroup loops, NodeMetrics metrics) {
    LoopProbe p = new LoopProbe();
    int i = 0;
    for (EventExecutor loop : loops) {
      String label = Integer.toString(i++);
      Probe probe = p.new Probe(loop, label, metrics.loopDelay.labelValues(label));
      p.probes.add(probe);
      probe.schedule(System.nanoTime());
    }
    return p;
  }

  void stop() {
    stopped = true;
  }

  /**
   * The samples a probe that ran {@code delayNanos} late stands for: its own delay, then the delays
   * of the probes due every interval during the stall, each one interval less.
   */
  static long[] samples(long delayNanos) {
    long missed = Math.min(MAX_MISSED_SAMPLES, Math.max(0, delayNanos / INTERVAL_NANOS));
    long[] out = new long[(int) missed + 1];
    for (int k = 0; k <= missed; k++) {
      out[k] = delayNanos - k * INTERVAL_NANOS;
    }
    return out;
  }

  private final class Probe {
    private final EventExecutor loop;
    private final String label;
    private final DistributionDataPoint delay;
    private long loggedNanos;
    private boolean logged;

    Probe(EventExecutor loop, String label, DistributionDataPoint delay) {
      this.loop = loop;
      this.label = label;
      this.delay = delay;
    }

    void schedule(long nowNanos) {
      if (stopped) {
        return;
      }
      long due = nowNanos + INTERVAL_NANOS;
      try {
        loop.schedule(() -> ran(due), INTERVAL_NANOS, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // The loops are stopping.
      }
    }

    private void ran(long dueNanos) {
      long now = System.nanoTime();
      long lateNanos = Math.max(0, now - dueNanos);
      for (long late : samples(lateNanos)) {
        delay.observe(late / 1e9);
      }
      if (lateNanos >= TimeUnit.MILLISECONDS.toNanos(STALL_LOG_MILLIS)
          && (!logged || now - loggedNanos >= TimeUnit.SECONDS.toNanos(STALL_LOG_EVERY_SECONDS))) {
        logged = true;
        loggedNanos = now;
        log.warn(
            "event loop {} ran a task {} ms late: something blocked it, or the machine is"
                + " overloaded",
            label,
            TimeUnit.NANOSECONDS.toMillis(lateNanos));
      }
      schedule(now);
    }
  }
}
