package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KumarRossTest {
  @ParameterizedTest(name = "F={0} u_s={1} sum u_i={2} d_min={3} N={4}: {5} s")
  @CsvSource({
    // the seeder's upload binds: one copy must leave it
    "1000, 10, 100000, 1000, 2, 100",
    // the slowest downloader binds
    "1000, 1000, 100000, 5, 2, 200",
    // the swarm's total upload binds: N copies over everyone's upload
    "1000, 100, 900, 1000, 100, 100",
    // Kraken's setting: 2,600 nodes at 300 MB/s, 5 seeders, 3 GB: about 10 s
    "3e9, 1.5e9, 7.8e11, 3e8, 2600, 10",
  })
  void boundIsTheLargestOfTheThreeLimits(
      double f, double seed, double others, double minDown, int n, double expected) {
    assertThat(KumarRoss.seconds(f, seed, others, minDown, n)).isCloseTo(expected, within(1e-9));
  }
}
