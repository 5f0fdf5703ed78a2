package io.shoal.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Defaults: 200 ms of data per peer, 512 KiB to 64 MiB. */
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
    assertThat(RequestWindow.afterDelivery(window, rate, delivered, CONFIG)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "window {0} B after a loss: {1} B")
  @CsvSource({"4194304, 2097152", "1048576, 524288", "524288, 524288"})
  void afterLoss_halvesDownToTheMinimum(long window, long expected) {
    assertThat(RequestWindow.afterLoss(window, CONFIG)).isEqualTo(expected);
  }
}
