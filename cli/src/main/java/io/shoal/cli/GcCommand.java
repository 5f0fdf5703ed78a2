package io.shoal.cli;

import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.snapshot.Retention;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.node.api.Collected;
import io.shoal.node.api.GcCall;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "gc",
    mixinStandardHelpOptions = true,
    description =
        "Drop old versions (with --keep) and reclaim the space of chunks no snapshot uses."
            + " While a node runs on the store, it does the collection.")
final class GcCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption data;
  @Mixin OutputOption output;

  @Option(
      names = "--keep",
      paramLabel = "K",
      description = "keep only the newest K versions of each name")
  Integer keep;

  @Override
  public Integer call() throws Exception {
    if (keep != null && keep < 1) {
      throw new CliException("--keep must be at least 1, not " + keep);
    }
    Collected c;
    try (StoreAccess access = StoreAccess.reachToRead(data.dir)) {
      Optional<NodeClient> node = access.node();
      c =
          node.isPresent()
              ? node.get().post("/gc", new GcCall(keep), Collected.class)
              : collect(access.store());
    }
    if (output.json) {
      OutputOption.printJson(spec.commandLine().getOut(), c);
    } else {
      LoggingOptions.informational(spec.commandLine().getOut())
          .printf(
              "dropped %d version(s), reclaimed %s; %d chunks (%s) remain%n",
              c.versionsDropped(),
              Human.bytes(c.bytesReclaimed()),
              c.chunksLeft(),
              Human.bytes(c.bytesLeft()));
    }
    return 0;
  }

  private Collected collect(ChunkStore store) throws IOException {
    SnapshotReader reader = new SnapshotReader(store);
    Retention.Result r = Retention.gc(reader, keep);
    var stats = store.stats();
    return new Collected(
        r.versionsDropped().size(), r.bytesReclaimed(), stats.chunkCount(), stats.chunkBytes());
  }
}
