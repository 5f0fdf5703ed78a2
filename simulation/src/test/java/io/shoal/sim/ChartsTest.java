package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** The report's data series (not its pixels) show what each scenario is about. */
class ChartsTest {
  @Test
  void partitionHeal_membersAndCatalogs_fallDuringThePartition_andAreWholeAfterTheHeal()
      throws IOException {
    SimResult r =
        new Simulation(Scenarios.resolve("partition-heal", Map.of("nodes", 30))).run(null);
    assertThat(r.converged()).isTrue();
    assertThat(r.bytesMoved()).as("partition-heal moves no bytes").isZero();

    XYChart timeline = Charts.timeline(r);
    double[] band = series(timeline, Charts.PARTITION).getYData();
    for (String name : List.of(Charts.MEMBERS, Charts.CATALOGS)) {
      double[] y = series(timeline, name).getYData();
      assertThat(y).as(name).isNotEmpty().hasSameSizeAs(band);
      assertThat(minWhere(y, band, true)).as(name + " while partitioned").isLessThan(100);
      assertThat(y[y.length - 1]).as(name + " at the end").isEqualTo(100);
    }
    assertThat(Charts.all(r)).containsOnlyKeys("timeline.png", "close-up.png");

    XYChart closeUp = Charts.closeUp(r);
    double[] t = series(closeUp, Charts.MEMBERS).getXData();
    assertThat(t[0]).as("starts before the heal").isLessThan(0);
    for (String name : List.of(Charts.MEMBERS, Charts.CATALOGS)) {
      double[] y = series(closeUp, name).getYData();
      assertThat(y[0]).as(name + " just before the heal").isLessThan(100);
      assertThat(y[y.length - 1]).as(name + " after the heal").isEqualTo(100);
    }
  }

  @Test
  void withoutAPartition_nothingIsShadedOrNamedAPartition() throws IOException {
    SimResult r =
        new Simulation(
                Scenarios.resolve("swarm-join", Map.of("nodes", 12, "seed", 3, "snapshotMib", 4)))
            .run(null);
    assertThat(r.timeline()).noneMatch(SimResult.Sample::partitioned);

    for (XYChart c : Charts.all(r).values()) {
      assertThat(c.getSeriesMap()).doesNotContainKey(Charts.PARTITION);
      assertThat(legend(c)).noneMatch(name -> name.contains("partition"));
    }
    assertThat(legend(Charts.timeline(r)))
        .containsExactly(Charts.MEMBERS, Charts.CATALOGS, Charts.COMPLETE);
  }

  @Test
  void churn_marksEachCrashAndRestartWhenItHappened() throws IOException {
    Scenario s =
        Scenarios.resolve(
            "churn", Map.of("nodes", 24, "seed", 42, "crashes", 4, "joins", 3, "snapshotMib", 16));
    SimResult r = new Simulation(s).run(null);
    assertThat(r.converged()).isTrue();

    List<SimResult.Mark> crashes = kind(r, "crash");
    List<SimResult.Mark> restarts = kind(r, "restart");
    assertThat(crashes).hasSize(s.crashes());
    assertThat(restarts).hasSize(s.crashes());
    assertThat(kind(r, "join")).hasSize(s.joins());
    for (SimResult.Mark restart : restarts) {
      assertThat(crashes)
          .as("a crash of node %d %s s before its restart", restart.node(), s.restartAfterSeconds())
          .anyMatch(
              c ->
                  c.node() == restart.node()
                      && Math.abs(restart.seconds() - c.seconds() - s.restartAfterSeconds())
                          < 1e-6);
    }
    // The marks agree with the live nodes the sampler counted on its own.
    for (SimResult.Sample x : r.timeline()) {
      if (x.seconds() > s.joinSpreadSeconds()) {
        int live = s.nodes();
        for (SimResult.Mark m : r.marks()) {
          if (m.seconds() <= x.seconds()) {
            live += m.kind().equals("crash") ? -1 : 1;
          }
        }
        assertThat(x.live()).as("live nodes at %.1f s", x.seconds()).isEqualTo(live);
      }
    }

    XYChart timeline = Charts.timeline(r);
    Ticks.Scale time = Ticks.time(0, r.timeline().get(r.timeline().size() - 1).seconds());
    for (String kind : List.of(Charts.CRASH, Charts.RESTART, Charts.JOIN)) {
      XYSeries marks = Charts.markSeries(timeline, kind);
      assertThat(marks).as(kind).isNotNull();
      double[] expected = kind(r, kind).stream().mapToDouble(m -> time.of(m.seconds())).toArray();
      assertThat(marks.getXData()).as(kind).containsExactly(expected);
    }
  }

  @Test
  void swarmJoin_marksNothing_andTheReportWritesEachChartAsAPng(@TempDir Path dir)
      throws IOException {
    SimResult r =
        new Simulation(
                Scenarios.resolve("swarm-join", Map.of("nodes", 12, "seed", 3, "snapshotMib", 4)))
            .run(null);
    assertThat(r.marks()).isEmpty();
    assertThat(Charts.markSeries(Charts.timeline(r), Charts.CRASH)).isNull();

    Report.write(r, new Report.RunStats(1, 1), dir);
    assertThat(Charts.all(r)).containsOnlyKeys("timeline.png", "throughput.png", "upload.png");
    for (String png : Charts.all(r).keySet()) {
      byte[] bytes = Files.readAllBytes(dir.resolve(png));
      assertThat(bytes).as(png).startsWith(0x89, 'P', 'N', 'G');
    }
    assertThat(Files.readString(dir.resolve("report.html"))).contains("data:image/png;base64,");
  }

  private static XYSeries series(XYChart c, String name) {
    XYSeries s = c.getSeriesMap().get(name);
    assertThat(s).as("series '%s' in %s", name, c.getSeriesMap().keySet()).isNotNull();
    return s;
  }

  /** The names the chart's legend shows. */
  private static List<String> legend(XYChart c) {
    List<String> out = new ArrayList<>();
    c.getSeriesMap()
        .forEach(
            (name, s) -> {
              if (s.isShowInLegend()) {
                out.add(name);
              }
            });
    return out;
  }

  private static double minWhere(double[] y, double[] band, boolean partitioned) {
    double min = Double.MAX_VALUE;
    for (int i = 0; i < y.length; i++) {
      if ((band[i] > 0) == partitioned) {
        min = Math.min(min, y[i]);
      }
    }
    return min;
  }

  private static List<SimResult.Mark> kind(SimResult r, String kind) {
    return r.marks().stream().filter(m -> m.kind().equals(kind)).toList();
  }
}
