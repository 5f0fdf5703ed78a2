package io.shoal.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Round axis scales for the report's charts: time in seconds, minutes or hours, shares in percent,
 * bytes in the binary unit that keeps the numbers below 1024, counts as they are. Each scale picks
 * a unit and a step of 1, 2 or 5 times a power of ten in that unit, so every tick is a round number
 * ("0, 2, 4, 6 min", "0, 200, 400 MiB"). Pure functions.
 */
final class Ticks {
  /** Ticks an axis aims for; the step is the roundest one that gives at most this many. */
  static final int TARGET_TICKS = 8;

  /** A time axis switches to the next unit when it would need more than this many of the unit. */
  static final int MAX_TIME_UNITS = 300;

  /** A byte axis uses the largest unit it spans at least this many of. */
  static final int MIN_BYTE_UNITS = 8;

  private static final String[] BYTE_UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

  /**
   * One axis.
   *
   * @param unitName what the numbers on the axis count ({@code s}, {@code MiB}, {@code %})
   * @param unit the size of one unit in the chart's data (seconds, bytes, fraction)
   * @param step distance between ticks, in units
   * @param min the axis's low end, in units (a multiple of {@code step})
   * @param max the axis's high end, in units (a multiple of {@code step})
   */
  record Scale(String unitName, double unit, double step, double min, double max) {
    /** The tick values, in units, from {@code min} to {@code max}. */
    List<Double> ticks() {
      List<Double> out = new ArrayList<>();
      long n = Math.round((max - min) / step);
      for (long i = 0; i <= n; i++) {
        out.add(clean(min + i * step));
      }
      return out;
    }

    /** {@code value} (in the chart's data) in units of this axis. */
    double of(double value) {
      return value / unit;
    }
  }

  private Ticks() {}

  /** A time axis from {@code fromSeconds} to {@code toSeconds}. */
  static Scale time(double fromSeconds, double toSeconds) {
    double span = Math.max(toSeconds, 0) - Math.min(fromSeconds, 0);
    String name = "s";
    double unit = 1;
    if (span > MAX_TIME_UNITS * 60.0) {
      name = "h";
      unit = 3600;
    } else if (span > MAX_TIME_UNITS) {
      name = "min";
      unit = 60;
    }
    return over(name, unit, fromSeconds / unit, toSeconds / unit);
  }

  /** A share from 0 to 1, shown as 0 to 100 percent. */
  static Scale percent() {
    return new Scale("%", 0.01, 20, 0, 100);
  }

  /**
   * A byte axis from 0 to {@code maxBytes}, in the largest binary unit in which the axis reaches at
   * least {@link #MIN_BYTE_UNITS} (so its steps are whole units: 0, 200, 400 MiB, not 0.2 GiB).
   */
  static Scale bytes(double maxBytes) {
    int u = 0;
    while (u < BYTE_UNITS.length - 1 && maxBytes >= MIN_BYTE_UNITS * Math.pow(1024, u + 1)) {
      u++;
    }
    double unit = Math.pow(1024, u);
    return over(BYTE_UNITS[u], unit, 0, maxBytes / unit);
  }

  /** A count from 0 to {@code max}. */
  static Scale count(double max) {
    return over("", 1, 0, max);
  }

  /**
   * The roundest step (1, 2 or 5 times a power of ten) that covers {@code span} in at most {@link
   * #TARGET_TICKS} steps; 1 for an empty span.
   */
  static double step(double span) {
    if (!(span > 0)) {
      return 1;
    }
    double raw = span / TARGET_TICKS;
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * power >= raw * (1 - 1e-9)) {
        return clean(m * power);
      }
    }
    return clean(10 * power);
  }

  /** A scale in {@code unit} whose ends are the multiples of its step around [from, to]. */
  private static Scale over(String name, double unit, double from, double to) {
    double lo = Math.min(from, 0);
    double hi = Math.max(to, lo);
    double step = step(hi - lo);
    double min = clean(Math.floor(lo / step + 1e-9) * step);
    double max = clean(Math.ceil(hi / step - 1e-9) * step);
    if (max <= min) {
      max = clean(min + step);
    }
    return new Scale(name, unit, step, min, max);
  }

  /** {@code x} without the binary noise of repeated decimal steps (0.30000000000000004). */
  private static double clean(double x) {
    return Math.round(x * 1e9) / 1e9;
  }
}
