package io.shoal.cli;

import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.NodeIdentity;
import io.shoal.chunkstore.SnapshotName;
import io.shoal.chunkstore.snapshot.Publication;
import io.shoal.chunkstore.snapshot.PublishHistory;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.node.api.PublishCall;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

// No mixinStandardHelpOptions: its -V/--version would clash with --version N below.
@Command(
    name = "publish",
    description = "Publish a file or a directory as the next version of NAME.")
final class PublishCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Mixin DataDirOption data;
  @Mixin OutputOption output;

  @Parameters(index = "0", paramLabel = "NAME", description = "snapshot name")
  String name;

  @Parameters(index = "1", paramLabel = "PATH", description = "file or directory to publish")
  Path path;

  @Option(
      names = "--version",
      paramLabel = "N",
      description = "version to publish (default: newest + 1)")
  Long version;

  @Option(
      names = "--hash",
      paramLabel = "ALG",
      defaultValue = "xxh128",
      description =
          "chunk id algorithm: xxh128 (default) or sha256 (for swarms with untrusted members)")
  String hash;

  @Option(
      names = "--keep",
      paramLabel = "K",
      defaultValue = "10",
      description =
          "afterwards keep the newest K versions of each name and collect the rest (default: ${DEFAULT-VALUE}; 0 keeps all)")
  int keep;

  @Option(
      names = "--force",
      description = "publish a new version even when the content is the newest version's")
  boolean force;

  @Option(
      names = "--log-offset",
      paramLabel = "OFFSET",
      description =
          "record that the snapshot holds the state after the records of log NAME before OFFSET:"
              + " a restore replays the log from there, and older log segments may be dropped")
  Long logOffset;

  @Override
  public Integer call() throws Exception {
    SnapshotName.check(name);
    if (logOffset != null && logOffset < 0) {
      throw new CliException("--log-offset must be 0 or more, not " + logOffset);
    }
    HashAlgorithm algorithm = HashAlgorithm.parse(hash);
    if (keep < 0) {
      throw new CliException("--keep must be 0 or more, not " + keep);
    }
    Publication.Outcome outcome;
    boolean viaNode;
    try (StoreAccess access = StoreAccess.reach(data.dir)) {
      Optional<NodeClient> node = access.node();
      viaNode = node.isPresent();
      outcome =
          viaNode ? publishThrough(node.get(), algorithm) : publishInto(access.store(), algorithm);
    }
    print(outcome, viaNode);
    return 0;
  }

  private Publication.Outcome publishThrough(NodeClient node, HashAlgorithm algorithm)
      throws IOException {
    return node.post(
        "/publish",
        new PublishCall(
            name,
            path.toAbsolutePath().normalize().toString(),
            version,
            algorithm.label(),
            keep,
            force,
            logOffset),
        Publication.Outcome.class);
  }

  private Publication.Outcome publishInto(ChunkStore store, HashAlgorithm algorithm)
      throws IOException {
    try (ProgressBars progress = ProgressBars.forTerminal()) {
      return Publication.publish(
          store,
          path,
          name,
          version,
          algorithm,
          keep,
          NodeIdentity.loadOrCreate(data.dir),
          System.currentTimeMillis(),
          progress,
          force || version != null,
          logOffset == null ? SnapshotRoot.NO_LOG_OFFSET : logOffset,
          PublishHistory.none());
    }
  }

  private void print(Publication.Outcome o, boolean viaNode) {
    var out = spec.commandLine().getOut();
    if (output.json) {
      OutputOption.printJson(out, o);
      return;
    }
    out = LoggingOptions.informational(out);
    long nanos = Math.round(o.seconds() * 1e9);
    if (o.unchanged()) {
      out.printf(
          "unchanged: %s@%d (root %s) already holds this content; no version made"
              + " (--force makes one)%n",
          o.name(), o.version(), o.root().substring(0, 12));
      return;
    }
    out.printf(
        "published %s@%d  root %s%s%n",
        o.name(),
        o.version(),
        o.root().substring(0, 12),
        viaNode ? "  (through the running node)" : "");
    out.printf(
        "  %s in %d %s, %d chunks; %s new, the rest already stored%n",
        Human.bytes(o.sizeBytes()),
        o.entries(),
        o.singleFile() ? "file" : "entries",
        o.chunks(),
        Human.bytes(o.newBytes()));
    out.printf("  %s, %s%n", Human.seconds(nanos), Human.rate(o.sizeBytes(), nanos));
    if (o.versionsDropped() > 0) {
      out.printf(
          "  retention: dropped %d old version(s), keeping %d per name%n",
          o.versionsDropped(), keep);
    }
  }
}
