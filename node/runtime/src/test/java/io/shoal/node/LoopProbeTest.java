package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The samples one late probe stands for (coordinated omission), as a pure function: no timing. The
 * probes themselves are exercised, under load, by {@link LoopLatencyTest}.
 */
class LoopProbeTest {
  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  @Test
  void samples_onTime_isOneSample() {
    assertThat(LoopProbe.samples(0)).containsExactly(0);
    assertThat(LoopProbe.samples(ms(9))).containsExactly(ms(9));
  }

  @Test
  void samples_stalledPastIntervals_recordsTheProbesItMissed() {
    assertThat(LoopProbe.samples(ms(10)))
        .as("a probe one interval late stands for itself and the one missed meanwhile")
        .containsExactly(ms(10), 0);
    assertThat(LoopProbe.samples(ms(25)))
        .as("a probe 25 ms late, probing every 10 ms")
        .containsExactly(ms(25), ms(15), ms(5));
  }

  @Test
  void samples_longStall_isCappedAtMaxMissedSamples() {
    long[] s = LoopProbe.samples(TimeUnit.HOURS.toNanos(1));

    assertThat(s).as("samples of an hour's stall").hasSize(LoopProbe.MAX_MISSED_SAMPLES + 1);
    assertThat(s[0]).isEqualTo(TimeUnit.HOURS.toNanos(1));
    assertThat(s[s.length - 1])
        .isEqualTo(
            TimeUnit.HOURS.toNanos(1)
                - LoopProbe.MAX_MISSED_SAMPLES * ms(LoopProbe.INTERVAL_MILLIS));
  }
}
