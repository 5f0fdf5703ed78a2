package io.shoal.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.node.core.StallPolicy.Verdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StallPolicyTest {
  @ParameterizedTest(name = "{0} s without progress, {1} peers: {2}")
  @CsvSource({
    "0, 0, GO_ON",
    "30, 0, GO_ON",
    "31, 0, NO_PEER",
    "31, 1, GO_ON",
    "120, 3, GO_ON",
    "121, 3, NO_PROGRESS",
    "121, 0, NO_PEER",
  })
  void check_byTimeWithoutProgressAndPeers(long seconds, int peers, Verdict expected) {
    assertThat(StallPolicy.check(seconds * 1_000_000_000L, peers)).isEqualTo(expected);
  }
}
