package io.shoal.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Numbers and tables for people. */
final class Human {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  private Human() {}

  /** {@code 1536} as {@code 1.5 KiB}. */
  static String bytes(long n) {
    double v = n;
    int unit = 0;
    while (Math.abs(v) >= 1024 && unit < UNITS.length - 1) {
      v /= 1024;
      unit++;
    }
    return unit == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, UNITS[unit]);
  }

  /** Bytes per second over {@code nanos}, in MiB/s (IEC). */
  static String rate(long bytes, long nanos) {
    if (nanos <= 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.1f MiB/s", bytes / 1048576.0 / (nanos / 1e9));
  }

  /** {@code done} in the unit of {@code total}: {@code 210.0/512.0 MiB}. */
  static String bytesOf(long done, long total) {
    int unit = 0;
    double scale = 1;
    while (total / scale >= 1024 && unit < UNITS.length - 1) {
      scale *= 1024;
      unit++;
    }
    return unit == 0
        ? done + "/" + total + " B"
        : String.format(Locale.ROOT, "%.1f/%.1f %s", done / scale, total / scale, UNITS[unit]);
  }

  /** A rate in IEC units: {@code 165.3 MiB/s}. */
  static String rate(double bytesPerSecond) {
    return bytes(Math.round(bytesPerSecond)) + "/s";
  }

  /** A duration as a clock reads: {@code 0:05}, {@code 12:34}, {@code 1:02:03}. */
  static String clock(long seconds) {
    long h = seconds / 3600;
    long m = seconds / 60 % 60;
    long s = seconds % 60;
    return h > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s)
        : String.format(Locale.ROOT, "%d:%02d", m, s);
  }

  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }

  static String percent(long part, long whole) {
    return whole == 0 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100.0 * part / whole);
  }

  static String time(long epochMillis) {
    return TIME.format(Instant.ofEpochMilli(epochMillis));
  }

  /** A plain-text table with left-aligned columns separated by two spaces. */
  static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
      rows.add(header);
    }

    Table row(Object... cells) {
      String[] r = new String[cells.length];
      for (int i = 0; i < cells.length; i++) {
        r[i] = String.valueOf(cells[i]);
      }
      rows.add(r);
      return this;
    }

    boolean isEmpty() {
      return rows.size() == 1;
    }

    String render() {
      int columns = rows.get(0).length;
      int[] widths = new int[columns];
      for (String[] r : rows) {
        for (int i = 0; i < columns; i++) {
          widths[i] = Math.max(widths[i], r[i].length());
        }
      }
      StringBuilder sb = new StringBuilder();
      for (String[] r : rows) {
        for (int i = 0; i < columns; i++) {
          sb.append(r[i]);
          if (i < columns - 1) {
            sb.append(" ".repeat(widths[i] - r[i].length() + 2));
          }
        }
        sb.append('\n');
      }
      return sb.toString();
    }
  }
}
