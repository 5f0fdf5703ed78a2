package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9110 §14 read by {@link ByteRange#parse}, as a table over a 100-byte representation. */
class ByteRangeTest {
  static final long SIZE = 100;

  @ParameterizedTest(name = "[{index}] Range: ''{0}'' -> {1} {2}-{3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        // header                         | answer | start | end (exclusive)
        "NULL                             | whole  | 0  | 100",
        "''                               | whole  | 0  | 100",
        "bytes=0-0                        | part   | 0  | 1",
        "bytes=0-99                       | part   | 0  | 100",
        "bytes=10-19                      | part   | 10 | 20",
        "bytes=90-                        | part   | 90 | 100",
        "bytes=99-                        | part   | 99 | 100",
        "bytes=-10                        | part   | 90 | 100",
        "bytes=-100                       | part   | 0  | 100",
        "bytes=-1000                      | part   | 0  | 100",
        "bytes=50-1000                    | part   | 50 | 100",
        "BYTES=1-2                        | part   | 1  | 3",
        "' bytes = 1 - 2 '                | part   | 1  | 3",
        "bytes=0-99999999999999999999     | part   | 0  | 100",
        "bytes=-99999999999999999999      | part   | 0  | 100",
        "bytes=100-                       | unsatisfiable | 0 | 0",
        "bytes=100-200                    | unsatisfiable | 0 | 0",
        "bytes=99999999999999999999-      | unsatisfiable | 0 | 0",
        "bytes=99999999999999999999-99999999999999999999 | unsatisfiable | 0 | 0",
        "bytes=-0                         | unsatisfiable | 0 | 0",
        "bytes=5-2                        | whole  | 0  | 100",
        "bytes=99999999999999999999-5     | whole  | 0  | 100",
        "bytes=abc                        | whole  | 0  | 100",
        "bytes=-                          | whole  | 0  | 100",
        "bytes=1-2-3                      | whole  | 0  | 100",
        "bytes=+1-2                       | whole  | 0  | 100",
        "bytes=-+2                        | whole  | 0  | 100",
        "bytes=0x10-20                    | whole  | 0  | 100",
        "bytes 0-5                        | whole  | 0  | 100",
        "pages=0-5                        | whole  | 0  | 100",
        "bytes=0-1,5-6                    | whole  | 0  | 100",
        "bytes=200-300,0-1                | whole  | 0  | 100",
      })
  void parse_table(String header, String answer, long start, long end) {
    ByteRange r = ByteRange.parse(header, SIZE);

    switch (answer) {
      case "whole" -> assertThat(r).as("Range: %s", header).isEqualTo(new ByteRange.Whole());
      case "part" ->
          assertThat(r).as("Range: %s", header).isEqualTo(new ByteRange.Part(start, end));
      case "unsatisfiable" ->
          assertThat(r).as("Range: %s", header).isEqualTo(new ByteRange.Unsatisfiable());
      default -> throw new IllegalArgumentException(answer);
    }
  }

  @Test
  void parse_zeroLengthRepresentation_isServedWhole() {
    assertThat(ByteRange.parse("bytes=0-0", 0)).isEqualTo(new ByteRange.Whole());
    assertThat(ByteRange.parse("bytes=-5", 0)).isEqualTo(new ByteRange.Whole());
  }

  @Test
  void contentRange_namesTheBytesAndTheSize() {
    assertThat(new ByteRange.Part(7, 12).contentRange(12)).isEqualTo("bytes 7-11/12");
    assertThat(ByteRange.Unsatisfiable.contentRange(12)).isEqualTo("bytes */12");
  }
}
