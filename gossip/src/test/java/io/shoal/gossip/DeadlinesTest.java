package io.shoal.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeadlinesTest {

  @ParameterizedTest
  @CsvSource({
    "10, 20, 10",
    "20, 10, 10",
    "-5, 5, -5",
    "7, 7, 7",
    // Across the wrap of a clock near overflow: MAX_VALUE - 1 comes before MIN_VALUE + 1.
    "9223372036854775806, -9223372036854775807, 9223372036854775806",
    "-9223372036854775807, 9223372036854775806, 9223372036854775806",
  })
  void earliest_comparesByDifference_evenAcrossOverflow(long a, long b, long expected) {
    assertThat(Deadlines.earliest(a, b)).isEqualTo(expected);
  }
}
