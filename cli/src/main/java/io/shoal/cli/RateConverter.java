package io.shoal.cli;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A rate in bytes per second, as an operator writes it: {@code 100MiB/s}, {@code 512KiB/s}, {@code
 * 1GiB/s} (binary, as shoal shows sizes), {@code 100MB/s} (decimal: 10^6 bytes), or a bare number
 * of MiB/s ({@code 12.5}). The {@code /s} may be left out; {@code 0} means no limit. Bits ({@code
 * Mb/s}) are refused rather than guessed.
 */
final class RateConverter implements ITypeConverter<Long> {
  /** Bytes per unit, by the unit's spelling; a bare number is in MiB/s. */
  static final Map<String, Long> UNITS =
      Map.ofEntries(
          Map.entry("", 1L << 20),
          Map.entry("B", 1L),
          Map.entry("KiB", 1L << 10),
          Map.entry("MiB", 1L << 20),
          Map.entry("GiB", 1L << 30),
          Map.entry("TiB", 1L << 40),
          Map.entry("kB", 1_000L),
          Map.entry("KB", 1_000L),
          Map.entry("MB", 1_000_000L),
          Map.entry("GB", 1_000_000_000L),
          Map.entry("TB", 1_000_000_000_000L));

  private static final Pattern RATE =
      Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*([A-Za-z]*)(?:/s)?");

  @Override
  public Long convert(String value) {
    return parse(value);
  }

  /** Bytes per second that {@code text} names; a one-line error if it names none. */
  static long parse(String text) {
    Matcher m = RATE.matcher(text.trim());
    Long unit = m.matches() ? UNITS.get(m.group(2)) : null;
    if (unit == null) {
      throw new TypeConversionException("'" + text + "' is not a rate; use e.g. 100MiB/s");
    }
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new TypeConversionException("'" + text + "' is more bytes per second than there are");
    }
    return bytes.longValue();
  }
}
