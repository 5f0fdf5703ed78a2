package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadThrottleTest {
  private final AtomicInteger queued = new AtomicInteger();
  private final Map<String, Boolean> reading = new HashMap<>();
  private final ReadThrottle<String> throttle = new ReadThrottle<>(4, 1, queued::get, reading::put);

  @Test
  void delivered_atOrBelowThePauseLevel_keepsReading() {
    queued.set(4);
    throttle.delivered("a");
    assertThat(reading).as("reading switched with pauseAt (4) queued").isEmpty();
    assertThat(throttle.pausedCount()).isZero();
  }

  @Test
  void delivered_aboveThePauseLevel_stopsReadingUntilDrainedToTheResumeLevel() {
    queued.set(5);
    throttle.delivered("a");
    throttle.delivered("b");
    assertThat(reading)
        .as("reading, by link, with 5 queued (pauseAt 4)")
        .containsEntry("a", false)
        .containsEntry("b", false);

    queued.set(2);
    throttle.drained();
    assertThat(reading)
        .as("reading, by link, drained to 2 (resumeAt 1)")
        .containsEntry("a", false)
        .containsEntry("b", false);

    queued.set(1);
    throttle.drained();
    assertThat(reading)
        .as("reading, by link, drained to resumeAt (1)")
        .containsEntry("a", true)
        .containsEntry("b", true);
    assertThat(throttle.pausedCount()).isZero();
  }

  @Test
  void delivered_queueAlreadyDrainedWhenPausing_resumesAtOnce() {
    // The consumer emptied the queue between the check and the pause: nobody would resume it.
    AtomicInteger reads = new AtomicInteger();
    ReadThrottle<String> racing =
        new ReadThrottle<>(
            4, 1, () -> reads.getAndIncrement() == 0 ? 5 : 0, (link, on) -> reading.put(link, on));
    racing.delivered("a");
    assertThat(reading)
        .as("reading of a link paused as the queue drained (nobody else resumes it)")
        .containsEntry("a", true);
    assertThat(racing.pausedCount()).isZero();
  }
}
