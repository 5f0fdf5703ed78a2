package io.shoal.gossip;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * The one loop every driver of a {@link GossipCore} runs, written once: after each input it hands
 * every message the core wants sent to the driver's {@link Wire}, every event to the driver's
 * {@link Events}, and arms the driver's one {@link Alarm} at {@link GossipCore#nextDeadlineNanos()}
 * when that deadline moved or the alarm went off (never again for the same deadline). The Netty
 * runtime, the simulator and the gossip test harness differ only in how they send, how they keep
 * time and what they do with the events.
 *
 * <p>Single-threaded: call it on the thread that owns the core, and put every input through {@link
 * #run} or {@link #onTimer}, so that no output waits for the next input and the alarm stays on the
 * core's deadline.
 *
 * <p>Failures, one policy for every driver: a {@link RuntimeException} from the core, or from the
 * handling of its outputs, is a bug in shared code, never an operating error (those are values:
 * refused claims are counted, bad messages dropped). The pump still drains what the core produced
 * and re-arms the alarm, so the driver stays in step with the core's state, and then hands the
 * exception to the driver's {@link Failures}, once. The runtime logs it with the node's id and
 * counts it in a metric and goes on, since one bad input must not stop a node; the simulator and
 * the tests use {@link Failures#rethrow()}, so the run fails at the input that broke it and its
 * seed reproduces the bug.
 */
public final class GossipPump {
  /** Sends what the core wants sent. Called on the pump's thread; must not block or call back. */
  public interface Wire {
    void send(Outbound message);
  }

  /**
   * The driver's one timer for this core. Each call replaces the deadline set before; when it
   * passes, the driver calls {@link #onTimer}. Called on the pump's thread; must not block or call
   * back.
   */
  public interface Alarm {
    void arm(long deadlineNanos);
  }

  /** Takes the core's events, in order. Called on the pump's thread; must not call back. */
  public interface Events {
    void onEvent(GossipEvent event);
  }

  /**
   * Reports a core failure, after the pump drained and re-armed (see the class comment). Called on
   * the pump's thread, at most once per input.
   */
  public interface Failures {
    /**
     * @param input what the core was given ({@code "a message"}, {@code "a timer"}…)
     * @param failure what it threw; later failures of the same input are suppressed in it
     */
    void onFailure(String input, RuntimeException failure);

    /** Fails the run: throws {@link IllegalStateException} naming the input, with the failure. */
    static Failures rethrow() {
      return (input, failure) -> {
        throw new IllegalStateException("the gossip core failed on " + input, failure);
      };
    }
  }

  private final GossipCore core;
  private final Wire wire;
  private final Alarm alarm;
  private final Events events;
  private final Failures failures;
  private boolean armed;
  private long armedNanos;

  public GossipPump(GossipCore core, Wire wire, Alarm alarm, Events events, Failures failures) {
    this.core = Objects.requireNonNull(core, "core");
    this.wire = Objects.requireNonNull(wire, "wire");
    this.alarm = Objects.requireNonNull(alarm, "alarm");
    this.events = Objects.requireNonNull(events, "events");
    this.failures = Objects.requireNonNull(failures, "failures");
  }

  /**
   * Gives the core one input, then drains its outputs and re-arms the alarm; a failure goes to the
   * driver's {@link Failures} last.
   *
   * @param input names the input in failure reports
   */
  public void run(String input, Consumer<GossipCore> change) {
    RuntimeException failure = null;
    try {
      change.accept(core);
    } catch (RuntimeException e) {
      failure = e;
    }
    try {
      drain();
    } catch (RuntimeException e) {
      failure = failure == null ? e : withSuppressed(failure, e);
    }
    rearm();
    if (failure != null) {
      failures.onFailure(input, failure);
    }
  }

  private static RuntimeException withSuppressed(RuntimeException first, RuntimeException next) {
    first.addSuppressed(next);
    return first;
  }

  /** The alarm went off: runs whatever the core has due, then drains and re-arms. */
  public void onTimer(long nowNanos) {
    armed = false;
    run("a timer", c -> c.onTimer(nowNanos));
  }

  /** The core, for queries; inputs go through {@link #run}. */
  public GossipCore core() {
    return core;
  }

  private void drain() {
    for (Outbound o; (o = core.pollSend()) != null; ) {
      wire.send(o);
    }
    for (GossipEvent e; (e = core.pollEvent()) != null; ) {
      events.onEvent(e);
    }
  }

  private void rearm() {
    long deadline = core.nextDeadlineNanos();
    if (!armed || deadline != armedNanos) {
      armed = true;
      armedNanos = deadline;
      alarm.arm(deadline);
    }
  }
}
