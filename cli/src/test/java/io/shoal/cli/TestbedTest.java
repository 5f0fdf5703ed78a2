package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code shoal testbed} with real node processes: a small scenario of the simulator's vocabulary (a
 * 2-2 partition that heals, a crash and a restart, a publish before and one on each side during the
 * partition) converges and passes every invariant.
 */
class TestbedTest {
  /** The scenario the test plays, kept with the benchmarks' scenarios. */
  static final Path SCENARIO = Path.of("..", "bench", "scenarios", "testbed-small.json");

  record Run(int code, String out, String err) {}

  static Run shoal(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  @DisplayName("4 real nodes: a 2-2 partition with heal, a crash and restart, 3 publishes converge")
  void testbed_smallScenario_convergesAndPassesTheInvariants() {
    assertThat(SCENARIO).exists();

    Run r =
        shoal(
            "testbed",
            "--nodes",
            "4",
            "--scenario",
            SCENARIO.toString(),
            "--seed",
            "3",
            "--gossip-speedup",
            "10",
            "--converge-timeout",
            "60");

    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("1 partitions, 1 SIGKILLs (1 restarts)")
        .contains("3 publishes (0 failed)")
        .contains("converged ")
        .contains("planned nodes up, members agree, winners agree, winners held complete: ok")
        .contains("reads back as published on every live node: ok");
    String dir = r.out().lines().filter(l -> l.startsWith("stopped the nodes")).findFirst().get();
    assertThat(Files.exists(Path.of(dir.substring(dir.lastIndexOf(' ') + 1)))).isFalse();
  }

  @Test
  void testbed_withoutScenarioOrNemesis_failsWithOneLine() {
    Run r = shoal("testbed", "--nodes", "3");

    assertThat(r.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(r.err()).contains("give one of --scenario FILE and --nemesis SECONDS");
    assertThat(r.err().lines()).hasSize(1);
  }
}
