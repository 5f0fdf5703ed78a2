package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.sim.Scenario;
import io.shoal.sim.Scenarios;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schedules {@link TestbedPlan} draws: from a scenario file, and the nemesis. */
class TestbedPlanTest {
  @Test
  void of_smallScenario_cutsTwoTwo_crashesOneNonSeeder_andPublishesOnEachSide() throws Exception {
    Scenario s = Scenarios.resolve(TestbedTest.SCENARIO.toString(), Map.of("nodes", 4, "seed", 3));

    List<TestbedPlan.Action> a = TestbedPlan.of(s, 4, 3).actions();

    assertThat(a).extracting(TestbedPlan.Action::kind).contains(TestbedPlan.Kind.PUBLISH);
    TestbedPlan.Action cut =
        a.stream().filter(x -> x.kind() == TestbedPlan.Kind.CUT).findFirst().orElseThrow();
    assertThat(cut.atSeconds()).isEqualTo(4);
    assertThat(cut.cut().groupOf()).containsExactly(0, 0, 1, 1);
    assertThat(cut.cut().blocks(0, 2)).isTrue();
    assertThat(cut.cut().blocks(2, 0)).isTrue();
    assertThat(cut.cut().blocks(0, 1)).isFalse();
    assertThat(a)
        .filteredOn(x -> x.kind() == TestbedPlan.Kind.PUBLISH_EACH_SIDE)
        .singleElement()
        .extracting(TestbedPlan.Action::atSeconds)
        .isEqualTo(8.0);
    TestbedPlan.Action crash =
        a.stream().filter(x -> x.kind() == TestbedPlan.Kind.CRASH).findFirst().orElseThrow();
    assertThat(crash.node()).isBetween(1, 3);
    assertThat(a)
        .filteredOn(x -> x.kind() == TestbedPlan.Kind.RESTART)
        .singleElement()
        .satisfies(r -> assertThat(r.atSeconds()).isEqualTo(crash.atSeconds() + 4));
  }

  @Test
  void nemesis_anySeed_keepsAQuarterUp_endsEveryFault_andRepeatsForTheSameSeed() {
    for (long seed = 1; seed <= 50; seed++) {
      List<TestbedPlan.Action> a = TestbedPlan.nemesis(16, 300, seed).actions();
      int down = 0;
      int maxDown = 0;
      for (TestbedPlan.Action x : a) {
        assertThat(x.atSeconds()).isLessThanOrEqualTo(300);
        switch (x.kind()) {
          case CRASH, STOP -> maxDown = Math.max(maxDown, ++down);
          case RESTART, CONT -> down--;
          default -> {}
        }
      }
      assertThat(down).as("seed %d: every kill and stop ends", seed).isZero();
      assertThat(maxDown).as("seed %d", seed).isLessThanOrEqualTo(4);
      assertThat(a.stream().filter(x -> x.kind() == TestbedPlan.Kind.CUT).count())
          .isEqualTo(a.stream().filter(x -> x.kind() == TestbedPlan.Kind.HEAL).count());
      assertThat(TestbedPlan.nemesis(16, 300, seed).actions()).hasToString(a.toString());
    }
  }

  @Test
  void downAfter_killsAndStops_leaveDownOnlyWhatWasNotRestartedOrResumed() {
    List<TestbedPlan.Action> played =
        List.of(
            new TestbedPlan.Action(1, TestbedPlan.Kind.CRASH, 1, null),
            new TestbedPlan.Action(2, TestbedPlan.Kind.STOP, 2, null),
            new TestbedPlan.Action(3, TestbedPlan.Kind.CRASH, 3, null),
            new TestbedPlan.Action(4, TestbedPlan.Kind.RESTART, 1, null),
            new TestbedPlan.Action(5, TestbedPlan.Kind.CONT, 2, null),
            new TestbedPlan.Action(6, TestbedPlan.Kind.PUBLISH, 0, null));

    assertThat(TestbedPlan.downAfter(played)).containsExactly(3);
    assertThat(TestbedPlan.downAfter(played.subList(0, 3))).containsExactly(1, 2, 3);
  }
}
