package io.shoal.cli;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.NodeIdentity;
import io.shoal.chunkstore.SnapshotName;
import io.shoal.chunkstore.snapshot.PublishRequest;
import io.shoal.chunkstore.snapshot.Retention;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = "Publish a file or a directory as the next version of NAME.")
final class PublishCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
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

  /** What {@code --json} prints. */
  record Published(
      String name,
      long version,
      String root,
      String hash,
      long sizeBytes,
      long entries,
      long chunks,
      long newChunks,
      long newBytes,
      double seconds,
      int versionsDropped) {}

  @Override
  public Integer call() throws Exception {
    SnapshotName.check(name);
    HashAlgorithm algorithm = HashAlgorithm.parse(hash);
    if (keep < 0) {
      throw new CliException("--keep must be 0 or more, not " + keep);
    }
    try (ChunkStore store = ChunkStore.open(data.dir);
        ProgressBars progress = ProgressBars.forTerminal("publish " + name)) {
      String nodeId = NodeIdentity.loadOrCreate(data.dir);
      long v =
          version != null
              ? version
              : store.catalog().latest(name).map(e -> e.version() + 1).orElse(1L);
      long start = System.nanoTime();
      PublishRequest request =
          PublishRequest.of(name, v, nodeId, System.currentTimeMillis()).withAlgorithm(algorithm);
      SnapshotWriter.Result result = SnapshotWriter.publish(store, path, request, progress);
      long elapsed = System.nanoTime() - start;
      progress.close();
      int dropped =
          keep == 0 ? 0 : Retention.apply(new SnapshotReader(store), keep).versionsDropped().size();
      CatalogEntry entry = store.catalog().get(name, v).orElseThrow();
      long size = entry.sizeBytes();
      if (output.json) {
        OutputOption.printJson(
            spec.commandLine().getOut(),
            new Published(
                name,
                v,
                result.rootId().toHex(),
                algorithm.label(),
                size,
                result.root().entryCount(),
                result.chunks(),
                result.newChunks(),
                result.newBytes(),
                elapsed / 1e9,
                dropped));
      } else {
        var out = spec.commandLine().getOut();
        out.printf("published %s@%d  root %s%n", name, v, result.rootId().toShortHex());
        out.printf(
            "  %s in %d %s, %d chunks; %s new, the rest already stored%n",
            Human.bytes(size),
            result.root().entryCount(),
            result.root().singleFile() ? "file" : "entries",
            result.chunks(),
            Human.bytes(result.newBytes()));
        out.printf("  %s, %s%n", Human.seconds(elapsed), Human.rate(size, elapsed));
        if (dropped > 0) {
          out.printf(
              "  retention: dropped %d old version(s), keeping %d per name%n", dropped, keep);
        }
      }
      return 0;
    }
  }
}
