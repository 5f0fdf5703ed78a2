package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class RateConverterTest {
  @ParameterizedTest(name = "{0} = {1} B/s")
  @CsvSource(
      delimiter = '|',
      value = {
        "100MiB/s | 104857600",
        "512KiB/s | 524288",
        "1GiB/s   | 1073741824",
        "2TiB/s   | 2199023255552",
        "100MB/s  | 100000000",
        "64kB/s   | 64000",
        "64KB/s   | 64000",
        "3GB/s    | 3000000000",
        "1000B/s  | 1000",
        "1        | 1048576",
        "12.5     | 13107200",
        "0.5MiB/s | 524288",
        "100MiB   | 104857600",
        "'4 MiB/s' | 4194304",
        "0        | 0",
      })
  void parse_acceptedSpellings_giveBytesPerSecond(String text, long bytesPerSecond) {
    assertThat(RateConverter.parse(text)).isEqualTo(bytesPerSecond);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"12 parsecs", "", "fast", "-1", "100Mb/s", "100mib/s", "1e6", "MiB/s", "1,5"})
  void parse_anythingElse_failsInOneLine(String text) {
    assertThatThrownBy(() -> RateConverter.parse(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'" + text + "' is not a rate; use e.g. 100MiB/s");
  }

  @ParameterizedTest
  @ValueSource(strings = {"node", "fetch"})
  void limitOption_withABadRate_namesTheOptionAndTheValue(String command) {
    CliTest.Run r = CliTest.shoal(command, "--upload-limit", "12 parsecs");
    assertThat(r.code()).isEqualTo(Main.EXIT_USAGE);
    assertThat(r.err())
        .startsWith("shoal: --upload-limit: '12 parsecs' is not a rate; use e.g. 100MiB/s\n");
  }
}
