package io.shoal.testing;

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

  /** Prints one line per decoder and a total, to stdout. */
  public synchronized void print() {
    long frames = 0;
    long nanos = 0;
    for (Map.Entry<String, long[]> e : byDecoder.entrySet()) {
      line(e.getKey(), e.getValue()[0], e.getValue()[1]);
      frames += e.getValue()[0];
      nanos += e.getValue()[1];
    }
    line("total", frames, nanos);
  }

  private static void line(String name, long frames, long nanos) {
    double seconds = nanos / 1e9;
    System.out.printf(
        "fuzz decoder=%s frames=%d seconds=%.2f frames_per_s=%.0f%n",
        name, frames, seconds, seconds > 0 ? frames / seconds : 0);
  }
}
