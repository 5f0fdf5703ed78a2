package io.shoal.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data DIR}: the data directory (store, catalog, node id). */
final class DataDirOption {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "${env:SHOAL_DATA:-shoal-data}",
      description = "data directory (default: ${DEFAULT-VALUE}; env SHOAL_DATA)")
  Path dir;
}
