package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every axis of the report ticks at round numbers in a unit a person reads at a glance. */
class TicksTest {
  @ParameterizedTest
  @CsvSource({
    "0, 1",
    "-3, 1",
    "0.8, 0.1",
    "8, 1",
    "9, 2",
    "14, 2",
    "22.9, 5",
    "100, 20",
    "631, 100",
    "10.52, 2",
    "7168, 1000"
  })
  void step_isOneTwoOrFiveTimesAPowerOfTen_givingAtMostTheTargetTicks(double span, double step) {
    assertThat(Ticks.step(span)).isEqualTo(step);
  }

  @ParameterizedTest
  @CsvSource({
    // from s, to s, unit, step, axis min, axis max (in the unit)
    "0, 14, s, 2, 0, 14",
    "0, 22.9, s, 5, 0, 25",
    "0, 300, s, 50, 0, 300",
    "0, 301, min, 1, 0, 6",
    "0, 631.4, min, 2, 0, 12",
    "0, 900, min, 2, 0, 16",
    "-10, 2.2, s, 2, -10, 4",
    "0, 20000, h, 1, 0, 6",
    "0, 0, s, 1, 0, 1"
  })
  void time_isInSecondsMinutesOrHours_withRoundEnds(
      double from, double to, String unit, double step, double min, double max) {
    Ticks.Scale s = Ticks.time(from, to);
    assertThat(s.unitName()).isEqualTo(unit);
    assertThat(s.step()).isEqualTo(step);
    assertThat(s.min()).isEqualTo(min);
    assertThat(s.max()).isEqualTo(max);
  }

  @ParameterizedTest
  @CsvSource({
    // max bytes, unit, step, axis max
    "0, B, 1, 1",
    "1000, B, 200, 1000",
    "1310720, KiB, 200, 1400",
    "1310000000, MiB, 200, 1400",
    "7516192768, MiB, 1000, 8000",
    "68719476736, GiB, 10, 70"
  })
  void bytes_useTheLargestBinaryUnitThatKeepsStepsWhole(
      double maxBytes, String unit, double step, double max) {
    Ticks.Scale s = Ticks.bytes(maxBytes);
    assertThat(s.unitName()).isEqualTo(unit);
    assertThat(s.step()).isEqualTo(step);
    assertThat(s.min()).isZero();
    assertThat(s.max()).isEqualTo(max);
    assertThat(s.max() * s.unit()).isGreaterThanOrEqualTo(maxBytes);
  }

  @ParameterizedTest
  @CsvSource({"0.0137", "14", "631.4", "99999", "1e7"})
  void everyTick_isAWholeMultipleOfTheStep(double toSeconds) {
    Ticks.Scale s = Ticks.time(0, toSeconds);
    assertThat(s.ticks()).first().isEqualTo(s.min());
    assertThat(s.ticks()).last().isEqualTo(s.max());
    for (double t : s.ticks()) {
      double multiple = t / s.step();
      assertThat(multiple)
          .isCloseTo(Math.rint(multiple), org.assertj.core.data.Offset.offset(1e-9));
    }
    assertThat(s.ticks()).hasSizeLessThanOrEqualTo(Ticks.TARGET_TICKS + 1);
  }

  @ParameterizedTest
  @CsvSource({"0", "20", "40", "60", "80", "100"})
  void percent_ticksEveryTwentyFromZeroToHundred(double tick) {
    assertThat(Ticks.percent().ticks()).contains(tick).hasSize(6);
  }
}
