package io.shoal.cli;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.snapshot.SnapshotDiff;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description =
        "List snapshots: names, versions, sizes, and what each version shares with the one before.")
final class LsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption data;
  @Mixin OutputOption output;

  /**
   * One version, as {@code --json} prints it.
   *
   * @param sharedBytes bytes of its data also in the previous version, or -1 when there is none
   */
  record Listed(
      String name,
      long version,
      String root,
      boolean complete,
      long sizeBytes,
      long sharedBytes,
      long createdMillis) {}

  @Override
  public Integer call() throws Exception {
    List<Listed> listed = new ArrayList<>();
    try (ChunkStore store = ChunkStore.open(data.dir)) {
      SnapshotReader reader = new SnapshotReader(store);
      CatalogEntry previous = null;
      for (CatalogEntry e : store.catalog().entries()) {
        boolean hasPrevious = previous != null && previous.name().equals(e.name());
        long shared = hasPrevious ? shared(reader, previous, e) : -1;
        listed.add(
            new Listed(
                e.name(),
                e.version(),
                e.root().toHex(),
                e.complete(),
                e.sizeBytes(),
                shared,
                e.createdMillis()));
        previous = e;
      }
    }
    if (output.json) {
      OutputOption.printJson(spec.commandLine().getOut(), listed);
      return 0;
    }
    Human.Table table =
        new Human.Table(
            "NAME", "VERSION", "ROOT", "SIZE", "SHARED WITH PREVIOUS", "CREATED", "STATE");
    for (Listed l : listed) {
      String shared =
          l.sharedBytes() < 0
              ? "-"
              : Human.bytes(l.sharedBytes())
                  + " ("
                  + Human.percent(l.sharedBytes(), l.sizeBytes())
                  + ")";
      table.row(
          l.name(),
          l.version(),
          l.root().substring(0, 12),
          Human.bytes(l.sizeBytes()),
          shared,
          Human.time(l.createdMillis()),
          l.complete() ? "complete" : "partial");
    }
    spec.commandLine()
        .getOut()
        .print(table.isEmpty() ? "no snapshots in " + data.dir + "\n" : table.render());
    return 0;
  }

  /** Data bytes of {@code current} covered by chunks of {@code previous}; -1 if unknown. */
  private static long shared(SnapshotReader reader, CatalogEntry previous, CatalogEntry current) {
    if (!previous.complete() || !current.complete()) {
      return -1;
    }
    try {
      return SnapshotDiff.between(reader, previous.root(), current.root()).sharedDataBytes();
    } catch (IOException e) {
      return -1;
    }
  }
}
