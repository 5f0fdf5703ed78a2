package io.shoal.node;

import java.util.List;

/** The checks of {@link NodeConfig} that read more than one field, each with its one error. */
final class NodeConfigChecks {
  private NodeConfigChecks() {}

  static void checkHttp(List<String> httpNames, List<String> httpAllowOrigins) {
    for (String name : httpNames) {
      if (!name.matches("[^\\s/@]+")) {
        throw new IllegalArgumentException("--http-name wants a host name: '" + name + "'");
      }
    }
    for (String origin : httpAllowOrigins) {
      if (!origin.matches("https?://[^\\s/]+")) {
        throw new IllegalArgumentException(
            "--http-allow-origin wants SCHEME://HOST[:PORT] as a browser sends it: '"
                + origin
                + "'");
      }
    }
  }

  static void checkRates(
      int keep, long uploadBytesPerSecond, long downloadBytesPerSecond, long scrubBytesPerSecond) {
    if (keep < 0
        || uploadBytesPerSecond < 0
        || downloadBytesPerSecond < 0
        || scrubBytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "keep "
              + keep
              + " / upload limit "
              + uploadBytesPerSecond
              + " / download limit "
              + downloadBytesPerSecond
              + " / scrub rate "
              + scrubBytesPerSecond);
    }
  }
}
