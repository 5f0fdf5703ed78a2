package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.node.TransferView;
import io.shoal.testing.FakeClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProgressBarsTest {
  private static final long MIB = 1 << 20;

  private static TransferView view(String stage, long done, long total, int peers) {
    return new TransferView("data", 2, "00", stage, done, total, peers, 0, -1, 0);
  }

  /** What a terminal would show of each redraw: the text between carriage returns. */
  private static List<String> frames(StringWriter screen) {
    return Arrays.stream(screen.toString().split("\r")).filter(f -> !f.isEmpty()).toList();
  }

  @Test
  void resumedFetch_countsFromWhatIsHeld_showsTheCurrentRate_andEndsAt100OnItsOwnLine() {
    FakeClock clock = new FakeClock(3);
    StringWriter screen = new StringWriter();
    ProgressBars bar = new ProgressBars(new PrintWriter(screen), clock::nowNanos);
    bar.update(view(TransferView.METADATA, 0, 0, 1));
    long done = 400 * MIB;
    for (int i = 0; i < 10; i++) { // 2 s at 20 MiB/s, polled every 200 ms
      bar.update(view(TransferView.DATA, done, 512 * MIB, 3));
      clock.advance(Duration.ofMillis(200));
      done += 4 * MIB;
    }
    bar.update(view(TransferView.DATA, done, 512 * MIB, 3));
    String midway = frames(screen).get(frames(screen).size() - 1);
    bar.writing(512 * MIB);
    clock.advance(Duration.ofSeconds(1));
    bar.complete();
    bar.close();
    bar.update(view(TransferView.DATA, 0, 512 * MIB, 3)); // late: draws nothing

    List<String> frames = frames(screen);
    assertThat(frames.get(0)).startsWith(" --% [metadata]");
    assertThat(frames.get(1)).as("starts from what is held").startsWith(" 78% [######  ]");
    assertThat(midway)
        .contains("440.0/512.0 MiB", "20.0 MiB/s", "3 peers", "elapsed 0:02", "ETA 0:04");
    assertThat(frames.get(frames.size() - 2)).startsWith("100% [writing ]");
    String last = frames.get(frames.size() - 1);
    assertThat(last)
        .startsWith("100% [########]")
        .contains(" 512.0/512.0 MiB")
        .contains("ETA 0:00")
        .endsWith("\n");
    assertThat(screen.toString()).endsWith("\n");
    for (String f : frames) {
      assertThat(f.replace("\n", ""))
          .as("every frame is as wide: '%s'", f)
          .hasSize(ProgressBars.WIDTH_CHARS);
    }
  }

  @Test
  void materializeProgress_fillsTheBarAsBytesAreWritten() {
    FakeClock clock = new FakeClock(5);
    StringWriter screen = new StringWriter();
    try (ProgressBars bar = new ProgressBars(new PrintWriter(screen), clock::nowNanos)) {
      bar.begin(10 * MIB);
      for (int i = 0; i < 10; i++) {
        clock.advance(Duration.ofMillis(250));
        bar.advance(MIB);
      }
      bar.complete();
    }
    List<String> frames = frames(screen);
    assertThat(frames.get(frames.size() - 1)).startsWith("100% [########]").contains("4.0 MiB/s");
    assertThat(frames.get(frames.size() - 1)).doesNotContain("peer");
  }

  @Test
  void withoutATerminal_drawsNothing() {
    ProgressBars bar = new ProgressBars(null, new FakeClock(1)::nowNanos);
    bar.begin(100);
    bar.advance(100);
    bar.complete();
    bar.close(); // no output to fail on
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "data, 0, 0, -1, -1, 0, -1",
    "data, 5, 1099511627776000, 1e12, 100000, 360000, 360000",
    "writing, 1099511627776000, 1099511627776000, 1e12, 1, 0, 0",
    "metadata, 0, 0, 0, 0, 59, -1",
  })
  void line_isAlwaysAsWide(
      String stage, long done, long total, double rate, int peers, long elapsed, long eta) {
    assertThat(ProgressBars.line(stage, done, total, rate, peers, elapsed, eta))
        .hasSize(ProgressBars.WIDTH_CHARS);
  }

  @ParameterizedTest(name = "{0} s: {1}")
  @CsvSource({"0, 0:00", "5, 0:05", "754, 12:34", "3723, 1:02:03", "360000, 100:00:00"})
  void clock_readsLikeAClock(long seconds, String expected) {
    assertThat(Human.clock(seconds)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} of {1}: {2}")
  @CsvSource({
    "0, 0, 0/0 B",
    "512, 1000, 512/1000 B",
    "461373440, 536870912, 440.0/512.0 MiB",
    "1048576, 2147483648, 0.0/2.0 GiB",
  })
  void bytesOf_usesTheTotalsUnit(long done, long total, String expected) {
    assertThat(Human.bytesOf(done, total)).isEqualTo(expected);
  }
}
