package io.shoal.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MinRoundTripTest {
  static final long MS = 1_000_000L;
  static final long EPOCH = MinRoundTrip.EPOCH_NANOS;

  @Test
  @DisplayName("nothing answered yet: -1")
  void none() {
    assertThat(new MinRoundTrip().nanos()).isEqualTo(-1);
  }

  @Test
  @DisplayName("the shortest answer counts, not the queue that later answers waited in")
  void shortestWins() {
    MinRoundTrip m = new MinRoundTrip();
    m.answered(40 * MS, 0);
    m.answered(3 * MS, 1 * MS);
    m.answered(90 * MS, 2 * MS);
    assertThat(m.nanos()).isEqualTo(3 * MS);
  }

  @Test
  @DisplayName("a short answer is forgotten after two epochs, so a route that got longer shows")
  void expiresAfterTwoEpochs() {
    MinRoundTrip m = new MinRoundTrip();
    m.answered(1 * MS, 0);
    m.answered(50 * MS, EPOCH); // a new epoch: the previous one still holds 1 ms
    assertThat(m.nanos()).isEqualTo(1 * MS);
    m.answered(60 * MS, 2 * EPOCH); // two epochs on: 1 ms is gone
    assertThat(m.nanos()).isEqualTo(50 * MS);
    m.answered(70 * MS, 5 * EPOCH); // a silence of more than two epochs forgets both
    assertThat(m.nanos()).isEqualTo(70 * MS);
  }

  @Test
  @DisplayName("a negative time (a clock read out of order) counts as 0, never below")
  void negativeIsZero() {
    MinRoundTrip m = new MinRoundTrip();
    m.answered(-5, 0);
    assertThat(m.nanos()).isZero();
  }
}
