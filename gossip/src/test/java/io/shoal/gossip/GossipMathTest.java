package io.shoal.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GossipMathTest {

  @ParameterizedTest
  @CsvSource({"4, 1, 4", "4, 9, 4", "4, 10, 8", "4, 99, 8", "4, 100, 12", "3, 1000, 12"})
  void retransmitLimit_scalesWithLog10(int mult, int n, int expected) {
    assertThat(GossipMath.retransmitLimit(mult, n)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"4, 1, 4000", "4, 10, 4000", "4, 100, 8000", "4, 1000, 12000"})
  void suspicionMin_isMultTimesLog10TimesInterval(int mult, int n, long expectedMillis) {
    assertThat(GossipMath.suspicionMinNanos(mult, n, 1_000_000_000L))
        .isEqualTo(expectedMillis * 1_000_000L);
  }

  @ParameterizedTest
  @CsvSource({
    "0, 2, 10, 60, 60",
    "1, 2, 10, 60, 28",
    "2, 2, 10, 60, 10",
    "5, 2, 10, 60, 10",
    "0, 0, 10, 60, 10"
  })
  void suspicionTimeout_fallsLogarithmicallyWithConfirmations(
      int c, int k, long min, long max, long expected) {
    assertThat(GossipMath.suspicionTimeoutNanos(c, k, min, max)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "4000, 4, 2000",
    "4000, 16, 4000",
    "4000, 32, 4000",
    "4000, 64, 8000",
    "4000, 1000, 24000"
  })
  void pushPullInterval_fasterWhenSmall_slowerWhenLarge(long base, int n, long expected) {
    assertThat(GossipMath.pushPullIntervalNanos(base, n)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "100, 1000, 0, 100",
    "100, 1000, 3, 800",
    "100, 1000, 4, 1000",
    "100, 1000, 62, 1000"
  })
  void backoff_doublesUpToTheCap(long base, long cap, int failures, long expected) {
    assertThat(GossipMath.backoffNanos(base, cap, failures)).isEqualTo(expected);
  }
}
