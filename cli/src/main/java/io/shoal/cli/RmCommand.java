package io.shoal.cli;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.SnapshotLookup;
import io.shoal.node.api.Removed;
import io.shoal.node.api.RmCall;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "rm",
    mixinStandardHelpOptions = true,
    description = {
      "Remove a version, or every version of a name, from the local catalog; 'shoal gc' then"
          + " reclaims the chunks no other snapshot uses. While a node runs on the store, it"
          + " removes them and announces its smaller catalog (refused while it fetches the name).",
      "A node following the name does not fetch a removed version again while it runs; it fetches"
          + " the next newer version, and after a restart the name's newest again."
    })
final class RmCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption data;
  @Mixin OutputOption output;

  @Parameters(
      index = "0",
      paramLabel = "NAME[@VERSION]",
      description = "the version to remove; NAME alone removes every version")
  String ref;

  @Override
  public Integer call() throws Exception {
    SnapshotRef snapshot = SnapshotRef.parse(ref);
    Removed removed;
    try (StoreAccess access = StoreAccess.reachToRead(data.dir)) {
      Optional<NodeClient> node = access.node();
      removed =
          node.isPresent()
              ? node.get().post("/rm", new RmCall(snapshot.toString()), Removed.class)
              : Removed.of(
                  snapshot.name(), SnapshotLookup.remove(access.store().catalog(), snapshot));
    }
    if (output.json) {
      OutputOption.printJson(spec.commandLine().getOut(), removed);
    } else {
      spec.commandLine()
          .getOut()
          .printf(
              "removed %s (%s); 'shoal gc' reclaims the chunks no other snapshot uses%n",
              removed.versions().stream()
                  .map(v -> removed.name() + "@" + v)
                  .collect(Collectors.joining(", ")),
              Human.bytes(removed.sizeBytes()));
    }
    return 0;
  }
}
