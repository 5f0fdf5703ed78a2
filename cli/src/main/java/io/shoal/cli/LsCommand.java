package io.shoal.cli;

import io.shoal.chunkstore.snapshot.CatalogListing;
import io.shoal.chunkstore.snapshot.CatalogListing.Listed;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import java.util.List;
import java.util.Optional;
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

  @Override
  public Integer call() throws Exception {
    List<Listed> listed;
    try (StoreAccess access = StoreAccess.reachToRead(data.dir)) {
      Optional<NodeClient> node = access.node();
      listed =
          node.isPresent()
              ? node.get()
                  .get("/ls", new com.fasterxml.jackson.core.type.TypeReference<List<Listed>>() {})
              : CatalogListing.list(new SnapshotReader(access.store()));
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
}
