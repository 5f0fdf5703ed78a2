package io.shoal.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the inputs each decoder was fed and the time it took, for a fuzz run's summary line per
 * decoder ({@code fuzz decoder=NAME frames=N seconds=S frames_per_s=R}), which {@code
 * bench/fuzz.sh} reads. Thread-safe.
 */
public final class FuzzTally {
  private final Map<String, long[]> byDecoder = new TreeMap<>();

  /** {@code frames} inputs went through {@code decoder} in {@code nanos}. */
  public synchronized void add(String decoder, long frames, long nanos) {
    long[] t = byDecoder.computeIfAbsent(decoder, k -> new long[2]);
    t[0] += frames;
    t[1] += nanos;
  }

  /**
   * One line per decoder and a total, for the test to print (only the CLI prints in main code:
   * ArchitectureTest).
   */
  public synchronized List<String> summary() {
    List<String> lines = new ArrayList<>();
    long frames = 0;
    long nanos = 0;
    for (Map.Entry<String, long[]> e : byDecoder.entrySet()) {
      lines.add(line(e.getKey(), e.getValue()[0], e.getValue()[1]));
      frames += e.getValue()[0];
      nanos += e.getValue()[1];
    }
    lines.add(line("total", frames, nanos));
    return lines;
  }

  private static String line(String name, long frames, long nanos) {
    double seconds = nanos / 1e9;
    return String.format(
        "fuzz decoder=%s frames=%d seconds=%.2f frames_per_s=%.0f",
        name, frames, seconds, seconds > 0 ? frames / seconds : 0);
  }
}
