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

  /** Bytes per second over {@code nanos}, in MiB/s. */
  static String rate(long bytes, long nanos) {
    if (nanos <= 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.1f MiB/s", bytes / 1048576.0 / (nanos / 1e9));
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
