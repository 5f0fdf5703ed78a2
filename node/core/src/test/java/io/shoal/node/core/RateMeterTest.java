package io.shoal.node.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.shoal.testing.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RateMeterTest {
  private static final double MIB = 1 << 20;
  private static final Duration POLL = Duration.ofMillis(200);

  /** Feeds {@code meter} a transfer at {@code mibPerSecond} for {@code seconds}, polled. */
  private static long run(
      RateMeter meter, FakeClock clock, long count, double mibPerSecond, double seconds) {
    long polls = Math.round(seconds * 1000 / POLL.toMillis());
    for (long i = 0; i < polls; i++) {
      clock.advance(POLL);
      count += Math.round(mibPerSecond * MIB * POLL.toMillis() / 1000);
      meter.sample(count, clock.nowNanos());
    }
    return count;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void steadyTransfer_readsRightFromItsFirstSecond(long seed) {
    FakeClock clock = new FakeClock(seed);
    RateMeter meter = new RateMeter();
    meter.sample(0, clock.nowNanos());
    assertThat(meter.isKnown()).isFalse();
    run(meter, clock, 0, 165, 1);
    assertThat(meter.bytesPerSecond(clock.nowNanos()) / MIB).isCloseTo(165, within(0.5));
  }

  @Test
  void fastStartThenSlow_followsTheCurrentRate_notTheWholeElapsedAverage() {
    FakeClock clock = new FakeClock(7);
    RateMeter meter = new RateMeter();
    meter.sample(0, clock.nowNanos());
    long count = run(meter, clock, 0, 442, 1);
    count = run(meter, clock, count, 100, 15);
    double wholeElapsed = count / 16.0 / MIB;
    assertThat(wholeElapsed).as("the old bar's figure").isGreaterThan(120);
    assertThat(meter.bytesPerSecond(clock.nowNanos()) / MIB).isCloseTo(100, within(3.0));
  }

  @Test
  void stall_decaysTheRateWithoutNewSamples() {
    FakeClock clock = new FakeClock(9);
    RateMeter meter = new RateMeter();
    meter.sample(0, clock.nowNanos());
    run(meter, clock, 0, 50, 5);
    clock.advanceNanos(3 * RateMeter.TIME_CONSTANT_NANOS);
    assertThat(meter.bytesPerSecond(clock.nowNanos()) / MIB).isLessThan(50 * 0.06);
  }

  @Test
  void restart_onAResume_doesNotCountWhatWasAlreadyHeld() {
    FakeClock clock = new FakeClock(11);
    RateMeter meter = new RateMeter();
    meter.sample(0, clock.nowNanos());
    clock.advance(POLL);
    long held = 400L << 20;
    meter.restart(held, clock.nowNanos());
    run(meter, clock, held, 20, 1);
    assertThat(meter.bytesPerSecond(clock.nowNanos()) / MIB).isCloseTo(20, within(0.5));
  }

  @Test
  void samplesCloserThanTheMinimum_foldIntoTheNext() {
    FakeClock clock = new FakeClock(13);
    RateMeter meter = new RateMeter();
    meter.sample(0, clock.nowNanos());
    long count = 0;
    for (int i = 0; i < 100; i++) { // every 10 ms, 10 MiB/s
      clock.advance(Duration.ofMillis(10));
      count += (long) (MIB / 10);
      meter.sample(count, clock.nowNanos());
    }
    assertThat(meter.bytesPerSecond(clock.nowNanos()) / MIB).isCloseTo(10, within(0.2));
  }

  @ParameterizedTest(name = "{0} bytes left at {1} B/s: {2} s")
  @CsvSource({
    "0, 0, 0",
    "100, 0, -1",
    "100, NaN, -1",
    "100, 100, 1",
    "101, 100, 2",
    "1073741824, 1048576, 1024",
    "9223372036854775807, 1, -1",
  })
  void etaSeconds_roundsUpAndIsUnknownWithoutARate(long remaining, double rate, long expected) {
    assertThat(RateMeter.etaSeconds(remaining, rate)).isEqualTo(expected);
  }
}
