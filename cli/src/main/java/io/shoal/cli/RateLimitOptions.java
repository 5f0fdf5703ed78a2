package io.shoal.cli;

import picocli.CommandLine.Option;

/** {@code --download-limit} and {@code --upload-limit}: node-wide caps on chunk bytes moved. */
final class RateLimitOptions {
  @Option(
      names = "--download-limit",
      paramLabel = "RATE",
      converter = RateConverter.class,
      description =
          "cap on the chunk bytes per second this node receives from all peers, e.g. 100MiB/s,"
              + " 512KiB/s, 100MB/s (decimal); a bare number is MiB/s (default: none)")
  long downloadBytesPerSecond;

  @Option(
      names = "--upload-limit",
      paramLabel = "RATE",
      converter = RateConverter.class,
      description =
          "cap on the chunk bytes per second this node serves to peers, in the same units (a bare"
              + " number is MiB/s; it used to be MB/s) (default: none)")
  long uploadBytesPerSecond;
}
