package io.shoal.cli;

import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.StoreScrub;
import io.shoal.node.api.Verified;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description =
        "Read every chunk of every snapshot in the store and check it against its id; exits 1 if"
            + " any is damaged (a damaged chunk is dropped, so a node fetches it again). While a"
            + " node runs on the store, it does the pass.")
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption data;
  @Mixin OutputOption output;

  @Override
  public Integer call() throws Exception {
    Verified verified;
    try (StoreAccess access = StoreAccess.reachToRead(data.dir)) {
      Optional<NodeClient> node = access.node();
      verified =
          node.isPresent()
              ? node.get().post("/verify", Map.of(), Verified.class)
              : Verified.of(new StoreScrub(new SnapshotReader(access.store()), bytes -> {}).all());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output.json) {
      OutputOption.printJson(out, verified);
    } else {
      for (Verified.Checked c : verified.snapshots()) {
        out.printf(
            "%s@%d: %d chunks (%s) checked, %d damaged%s%s%n",
            c.name(),
            c.version(),
            c.chunksChecked(),
            Human.bytes(c.bytesChecked()),
            c.damaged().size(),
            c.damaged().isEmpty() ? "" : ": " + String.join(" ", c.damaged()),
            c.chunksMissing() == 0 ? "" : ", " + c.chunksMissing() + " not held (partial)");
      }
      out.printf(
          "%d snapshot(s) verified, %d damaged chunk(s)%s%n",
          verified.snapshots().size(),
          verified.damagedChunks(),
          verified.damagedChunks() == 0 ? "" : "; a node fetches them again");
    }
    return verified.damagedChunks() == 0 ? 0 : Main.EXIT_FAILURE;
  }
}
