package io.shoal.cli;

import io.shoal.chunkstore.snapshot.Materializer;
import picocli.CommandLine.Option;

/** {@code -o PATH}, {@code --force}, {@code --no-sync}: where and how a snapshot is written. */
final class WriteTargetOptions {
  @Option(
      names = {"-o", "--output"},
      paramLabel = "PATH",
      required = true,
      description = "where to write it; - streams a single-file snapshot to stdout")
  String target;

  @Option(names = "--force", description = "replace PATH if it exists")
  boolean force;

  @Option(
      names = "--no-sync",
      description = "skip the fsyncs that make the result durable before it appears")
  boolean noSync;

  Materializer.Options materializerOptions() {
    return Materializer.Options.defaults().withOverwrite(force).withSync(!noSync);
  }
}
