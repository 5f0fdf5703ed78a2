package io.shoal.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Defaults: 200 ms of data per peer until its round trip is known, then twice that round trip
 * within 20-200 ms; 512 KiB to 64 MiB.
 */
class RequestWindowTest {
  static final TransferConfig CONFIG = TransferConfig.defaults();
  static final long KIB = 1024;
  static final long MIB = 1024 * KIB;

  @ParameterizedTest(name = "window {0} B, rate {1} B/s, {2} B delivered: {3} B")
  @CsvSource({
    // no rate yet: slow start, the window grows by each delivery
    "524288, 0, 65536, 589824",
    // rate known and its 200 ms above the window: the window jumps to it
    "524288, 10485760, 65536, 2097152",
    // rate known and its 200 ms below the window: shrink gently, one delivery at a time
    "4194304, 5242880, 65536, 4128768",
    // ... but never below what the rate asks for
    "1100000, 5242880, 65536, 1048576",
    // bounds: never below 512 KiB, never above 64 MiB
    "524288, 1024, 65536, 524288",
    "67108864, 1073741824, 65536, 67108864",
  })
  void afterDelivery_byRateAndDelivery(long window, double rate, int delivered, long expected) {
    assertThat(RequestWindow.afterDelivery(window, rate, -1, delivered, CONFIG))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "shortest round trip {0} ns: a target queue of {1} ns")
  @CsvSource({
    // not measured yet: the configured 200 ms
    "-1, 200000000",
    // loopback, an index chunk answered in 0.3 ms: the 20 ms floor
    "300000, 20000000",
    "0, 20000000",
    // a 30 ms link: two round trips
    "30000000, 60000000",
    // a 100 ms link and longer: the configured 200 ms at most
    "100000000, 200000000",
    "900000000, 200000000",
    "9223372036854775807, 200000000",
  })
  void targetQueue_followsTheShortestRoundTrip(long minRoundTrip, long expected) {
    assertThat(RequestWindow.targetQueueNanos(minRoundTrip, CONFIG)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "window {0} B, rate {1} B/s, round trip {2} ns: {3} B")
  @CsvSource({
    // 100 MiB/s on loopback: 20 ms of it is 2 MiB, below the window, which shrinks gently
    "4194304, 104857600, 300000, 4128768",
    "2100000, 104857600, 300000, 2097152",
    // 100 MiB/s over a 50 ms link: 100 ms of it, 10 MiB, and the window jumps to it
    "4194304, 104857600, 50000000, 10485760",
  })
  void afterDelivery_byRoundTrip(long window, double rate, long minRoundTrip, long expected) {
    assertThat(RequestWindow.afterDelivery(window, rate, minRoundTrip, 65536, CONFIG))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "window {0} B after a loss: {1} B")
  @CsvSource({"4194304, 2097152", "1048576, 524288", "524288, 524288"})
  void afterLoss_halvesDownToTheMinimum(long window, long expected) {
    assertThat(RequestWindow.afterLoss(window, CONFIG)).isEqualTo(expected);
  }
}
