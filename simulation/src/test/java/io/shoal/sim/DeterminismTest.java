package io.shoal.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One seed, one run: the trace hash repeats; another seed changes it; the replay is exact. */
class DeterminismTest {
  /** Churn with loss, crashes, restarts on new addresses and joins: every kind of event. */
  private static Scenario churn(long seed) throws IOException {
    return Scenarios.resolve(
        "churn",
        Map.of(
            "nodes", 24, "seed", seed, "crashes", 4, "joins", 3, "snapshotMib", 16, "loss", 0.05));
  }

  @Test
  void sameSeed_sameTraceHash_differentSeed_differentHash() throws IOException {
    SimResult a = new Simulation(churn(42)).run(null);
    SimResult b = new Simulation(churn(42)).run(null);
    SimResult c = new Simulation(churn(43)).run(null);

    assertThat(a.events()).isGreaterThan(10_000);
    assertThat(b.traceHash()).isEqualTo(a.traceHash());
    assertThat(b.events()).isEqualTo(a.events());
    assertThat(b.convergenceSeconds()).isEqualTo(a.convergenceSeconds());
    assertThat(c.traceHash()).isNotEqualTo(a.traceHash());
  }

  @Test
  void replayCommand_rebuildsTheSameScenario() throws IOException {
    Scenario s =
        Scenarios.with(
            churn(7),
            Map.of(
                "loss",
                0.2,
                "partitions",
                List.of(
                    Map.of("atSeconds", 5, "healSeconds", 9, "isolate", 3, "groups", List.of()))));
    String replay = Scenarios.replayCommand(s);

    // Parse it back as the CLI would: KIND --nodes N --seed S --set 'FIELD=JSON'...
    List<String> words = shellWords(replay);
    assertThat(words.subList(0, 3)).containsExactly("shoal", "simulate", "churn");
    Map<String, Object> overrides = new LinkedHashMap<>();
    for (int i = 3; i < words.size(); i += 2) {
      String flag = words.get(i);
      String value = words.get(i + 1);
      if (flag.equals("--set")) {
        int eq = value.indexOf('=');
        overrides.put(value.substring(0, eq), Scenarios.parseValue(value.substring(eq + 1)));
      } else {
        overrides.put(flag.substring(2), Scenarios.parseValue(value));
      }
    }
    assertThat(Scenarios.resolve("churn", overrides)).isEqualTo(s);
  }

  /** Splits a command line the way a POSIX shell would for single quotes and spaces. */
  private static List<String> shellWords(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (ch == '\'') {
        quoted = !quoted;
        any = true;
      } else if (ch == ' ' && !quoted) {
        if (any) {
          out.add(word.toString());
        }
        word.setLength(0);
        any = false;
      } else {
        word.append(ch);
        any = true;
      }
    }
    if (any) {
      out.add(word.toString());
    }
    return out;
  }
}
