package io.shoal.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.testing.FakeClock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GossipPumpTest {
  static final Endpoint SEED = new Endpoint("10.0.0.9", 7420);
  static final NodeId ONE = new NodeId(0x5000_0000_0000_0001L, 1);
  static final NodeId TWO = new NodeId(0x5000_0000_0000_0002L, 2);
  static final Endpoint ONE_AT = new Endpoint("10.0.0.2", 7420);
  static final Endpoint TWO_AT = new Endpoint("10.0.0.3", 7420);

  final FakeClock clock = new FakeClock(17);
  final List<Outbound> sent = new ArrayList<>();
  final List<Long> armed = new ArrayList<>();
  final List<GossipEvent> events = new ArrayList<>();
  final List<String> failures = new ArrayList<>();
  GossipCore core;
  GossipPump pump;

  @BeforeEach
  void setUp() {
    core =
        new GossipCore(
            GossipConfig.defaults(),
            ONE,
            ONE_AT,
            1,
            ClaimAuthority.unsigned(),
            new SplittableRandom(3),
            clock.nowNanos());
    pump = pumpWith(e -> events.add(e));
  }

  GossipPump pumpWith(GossipPump.Events handler) {
    return new GossipPump(
        core,
        sent::add,
        armed::add,
        handler,
        (input, e) -> failures.add(input + ": " + e.getMessage()));
  }

  @Test
  void run_input_sendsWhatTheCoreWantsSentAndArmsAtItsDeadline() {
    pump.run("a join", c -> c.join(List.of(SEED), clock.nowNanos()));

    assertThat(sent).singleElement().satisfies(o -> assertThat(o.to()).isEqualTo(SEED));
    assertThat(core.pollSend()).isNull();
    assertThat(armed).containsExactly(core.nextDeadlineNanos());
  }

  @Test
  void run_inputsThatKeepTheDeadline_armOnce() {
    pump.run("a start", c -> {});
    pump.run("a query", c -> c.members());
    pump.run("a query", c -> c.winners());

    assertThat(armed).containsExactly(core.nextDeadlineNanos());
  }

  @Test
  void onTimer_deadlineMoves_armsAtTheNewOne() {
    pump.run("a start", c -> {});
    long first = armed.get(0);

    clock.advanceNanos(first - clock.nowNanos());
    pump.onTimer(clock.nowNanos());

    assertThat(core.nextDeadlineNanos()).isNotEqualTo(first);
    assertThat(armed).containsExactly(first, core.nextDeadlineNanos());
  }

  @Test
  void onTimer_alarmWentOff_armsAgainEvenAtTheSameDeadline() {
    pump.run("a start", c -> {});
    long deadline = armed.get(0);

    pump.onTimer(clock.nowNanos()); // early: nothing is due, the deadline stays

    assertThat(armed).containsExactly(deadline, deadline);
  }

  @Test
  void run_coreThrows_outputsDrainedAlarmArmedThenReportedOnce() {
    pump.run(
        "a join",
        c -> {
          c.join(List.of(SEED), clock.nowNanos());
          throw new IllegalStateException("bug");
        });

    assertThat(sent).hasSize(1);
    assertThat(armed).containsExactly(core.nextDeadlineNanos());
    assertThat(failures).containsExactly("a join: bug");
  }

  @Test
  void run_eventHandlerThrows_sendsDrainedAlarmArmedThenReported() {
    GossipPump failing =
        pumpWith(
            e -> {
              throw new IllegalStateException("handler bug");
            });
    // A sync request from a stranger makes the core reply and report the stranger up.
    GossipCore other =
        new GossipCore(
            GossipConfig.defaults(),
            TWO,
            TWO_AT,
            1,
            ClaimAuthority.unsigned(),
            new SplittableRandom(4),
            clock.nowNanos());
    other.join(List.of(ONE_AT), clock.nowNanos());
    Outbound sync = other.pollSend();

    failing.run("a message", c -> c.onMessage(other.id(), TWO_AT, sync.message(), 0));

    assertThat(sent).isNotEmpty();
    assertThat(armed).containsExactly(core.nextDeadlineNanos());
    assertThat(failures).containsExactly("a message: handler bug");
  }

  @Test
  void rethrow_failsTheRunNamingTheInput() {
    GossipPump strict =
        new GossipPump(core, sent::add, armed::add, events::add, GossipPump.Failures.rethrow());

    assertThatThrownBy(
            () ->
                strict.run(
                    "a timer",
                    c -> {
                      throw new ArithmeticException("overflow");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a timer")
        .hasRootCauseMessage("overflow");
    assertThat(armed).containsExactly(core.nextDeadlineNanos());
  }
}
