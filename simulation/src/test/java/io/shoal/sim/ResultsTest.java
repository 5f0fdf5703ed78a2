package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResultsTest {
  private static final List<Double> TEN =
      List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);

  @ParameterizedTest
  @CsvSource({
    "0.0, 1",
    "0.1, 1",
    "0.5, 5",
    "0.51, 6",
    "0.9, 9",
    "0.99, 10",
    "0.999, 10",
    "1.0, 10"
  })
  void quantile_isTheNearestRankAtOrAbove(double q, double expected) {
    assertThat(Results.quantile(TEN, q)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"0.5", "0.99"})
  void quantile_ofNothing_isZero(double q) {
    assertThat(Results.quantile(List.of(), q)).isZero();
  }
}
