package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ViewEventsTest {
  private record Event(long time, int order) {}

  @Test
  void poll_interleavedWithAdds_takesEventsByTimeThenScheduleOrder() {
    ViewEvents events = new ViewEvents();
    SplittableRandom random = new SplittableRandom(9);
    List<Event> pending = new ArrayList<>();
    int order = 0;
    for (int round = 0; round < 2_000; round++) {
      for (int k = random.nextInt(4); k > 0; k--) {
        long t = 1_000 + random.nextLong(50); // few distinct times: many ties
        events.add(t, 1, order, 0, "m" + order);
        pending.add(new Event(t, order++));
      }
      if (random.nextBoolean() && !pending.isEmpty()) {
        Event want =
            pending.stream()
                .min(Comparator.comparingLong(Event::time).thenComparingInt(Event::order))
                .orElseThrow();
        pending.remove(want);
        assertThat(events.poll()).isTrue();
        assertThat(events.time).isEqualTo(want.time());
        assertThat(events.to).isEqualTo(want.order());
        assertThat(events.message).isEqualTo("m" + want.order());
      }
    }
    assertThat(events.size()).isEqualTo(pending.size());
  }
}
