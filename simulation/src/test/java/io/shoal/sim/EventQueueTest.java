package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The queue runs events by time, then in the order they were scheduled, however they interleave.
 */
class EventQueueTest {
  private record Scheduled(long at, int order) {}

  @Test
  void runsEventsByTimeThenScheduleOrder_whileEventsScheduleMore() {
    EventQueue queue = new EventQueue();
    SplittableRandom random = new SplittableRandom(3);
    List<Scheduled> scheduled = new ArrayList<>();
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      schedule(queue, random, scheduled, ran, 0);
    }

    long last = -1;
    while (queue.nextAt() != Long.MAX_VALUE) {
      long t = queue.nextAt();
      assertThat(t).isGreaterThanOrEqualTo(last);
      last = t;
      queue.advanceTo(t);
      queue.runNext();
    }

    // Few distinct times, so many ties: their order must be the order of scheduling.
    List<Integer> expected =
        scheduled.stream()
            .sorted(Comparator.comparingLong(Scheduled::at).thenComparingInt(Scheduled::order))
            .map(Scheduled::order)
            .toList();
    assertThat(ran).hasSize(scheduled.size()).isEqualTo(expected);
    assertThat(queue.processed()).isEqualTo(scheduled.size());
  }

  /** An event at a random near time; a third of them schedule another from where they run. */
  private static void schedule(
      EventQueue queue,
      SplittableRandom random,
      List<Scheduled> scheduled,
      List<Integer> ran,
      long now) {
    int order = scheduled.size();
    long at = now + random.nextInt(50);
    boolean more = random.nextInt(3) == 0 && order < 20_000;
    scheduled.add(new Scheduled(at, order));
    queue.at(
        at,
        () -> {
          ran.add(order);
          if (more) {
            schedule(queue, random, scheduled, ran, queue.now());
          }
        });
  }
}
