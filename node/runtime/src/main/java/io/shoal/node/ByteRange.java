package io.shoal.node;

/**
 * What a {@code Range} request header asks of a representation of a known size, read as RFC 9110
 * §14 says: a header that does not parse, names another unit, or holds more than one range is
 * ignored (the whole representation, 200: a server MAY ignore Range, §14.2, and answering one range
 * per request keeps a response one plain body); one satisfiable range is served (206); one range
 * that cannot be satisfied answers 416 with {@code Content-Range: bytes *}{@code /SIZE}.
 *
 * <p>Numbers too large for a long are read as what they mean: a first byte past any size (416), a
 * last byte or suffix length past the end (up to the end). A zero-length representation is always
 * served whole, since no range of it can be satisfied but a suffix, which would name no byte.
 */
sealed interface ByteRange {
  /** The whole representation, 200. */
  record Whole() implements ByteRange {}

  /** Bytes {@code start} (inclusive) to {@code end} (exclusive), 206. */
  record Part(long start, long end) implements ByteRange {
    /** The {@code Content-Range} value for a representation of {@code size} bytes. */
    String contentRange(long size) {
      return "bytes " + start + "-" + (end - 1) + "/" + size;
    }
  }

  /** A range no byte of the representation satisfies, 416. */
  record Unsatisfiable() implements ByteRange {
    /** The {@code Content-Range} value a 416 carries. */
    static String contentRange(long size) {
      return "bytes */" + size;
    }
  }

  /** The range {@code header} (null when absent) asks of {@code size} bytes. */
  static ByteRange parse(String header, long size) {
    if (header == null || size <= 0) {
      return new Whole();
    }
    String h = header.trim();
    int eq = h.indexOf('=');
    if (eq < 0 || !h.substring(0, eq).trim().equalsIgnoreCase("bytes") || h.indexOf(',') >= 0) {
      return new Whole();
    }
    String spec = h.substring(eq + 1).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return new Whole();
    }
    String first = spec.substring(0, dash).trim();
    String last = spec.substring(dash + 1).trim();
    if (first.isEmpty()) {
      if (!isDigits(last)) {
        return new Whole();
      }
      long suffix = number(last);
      return suffix == 0 ? new Unsatisfiable() : new Part(size - Math.min(size, suffix), size);
    }
    if (!isDigits(first) || !(last.isEmpty() || isDigits(last))) {
      return new Whole();
    }
    long start = number(first);
    long end = last.isEmpty() ? size : Math.min(size, saturatingIncrement(number(last)));
    if (!last.isEmpty() && number(last) < start) {
      return new Whole(); // last-pos before first-pos: an invalid range-spec, so no Range at all
    }
    return start >= size ? new Unsatisfiable() : new Part(start, end);
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** The value of a string of digits, or {@link Long#MAX_VALUE} when it does not fit. */
  private static long number(String digits) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long saturatingIncrement(long n) {
    return n == Long.MAX_VALUE ? n : n + 1;
  }
}
