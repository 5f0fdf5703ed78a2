package io.shoal.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LocalHealthTest {

  @ParameterizedTest
  @CsvSource({
    // start, nacks expected, nacks received, score after
    "0, 0, 0, 1",
    "0, 3, 3, 1",
    "0, 3, 1, 2",
    "0, 3, 5, 1",
    "7, 3, 0, 8",
    "8, 0, 0, 8",
  })
  void probeFailed_countsAMissedNackOnce_cappedAtMax(
      int start, int expected, int received, int after) {
    LocalHealth h = at(start, 8);
    h.probeFailed(expected, received);
    assertThat(h.score()).isEqualTo(after);
  }

  @Test
  void probeSucceeded_lowersTheScore_neverBelowZero() {
    LocalHealth h = at(2, 8);
    h.probeSucceeded();
    assertThat(h.score()).isEqualTo(1);
    h.probeSucceeded();
    h.probeSucceeded();
    assertThat(h.score()).isZero();
  }

  @Test
  void refuted_raisesTheScore_cappedAtMax() {
    LocalHealth h = at(7, 8);
    h.refuted();
    assertThat(h.score()).isEqualTo(8);
    h.refuted();
    assertThat(h.score()).isEqualTo(8);
  }

  @ParameterizedTest
  @CsvSource({"0, 500, 500", "1, 500, 1000", "8, 500, 4500"})
  void scaled_stretchesByScorePlusOne(int score, long nanos, long expected) {
    assertThat(at(score, 8).scaled(nanos)).isEqualTo(expected);
  }

  /** A health at {@code score}, reached through refutations. */
  private static LocalHealth at(int score, int max) {
    LocalHealth h = new LocalHealth(max);
    for (int i = 0; i < score; i++) {
      h.refuted();
    }
    assertThat(h.score()).isEqualTo(score);
    return h;
  }
}
