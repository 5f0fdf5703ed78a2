package io.shoal.cli;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.StoreLockedException;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.StoreScrub;
import java.io.PrintWriter;
import java.util.List;
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
            + " any is damaged (a damaged chunk is dropped, so a node fetches it again).")
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption data;
  @Mixin OutputOption output;

  /** What {@code --json} prints for one snapshot. */
  record Checked(
      String name,
      long version,
      long chunksChecked,
      long bytesChecked,
      List<String> damaged,
      long chunksMissing) {}

  /** What {@code --json} prints. */
  record Verified(List<Checked> snapshots, long damagedChunks) {}

  @Override
  public Integer call() throws Exception {
    List<StoreScrub.SnapshotReport> reports;
    try (ChunkStore store = ChunkStore.open(data.dir)) {
      reports = new StoreScrub(new SnapshotReader(store), bytes -> {}).all();
    } catch (StoreLockedException e) {
      throw new CliException("a node owns " + data.dir + "; stop it to verify the store offline");
    }
    List<Checked> checked =
        reports.stream()
            .map(
                r ->
                    new Checked(
                        r.name(),
                        r.version(),
                        r.chunksChecked(),
                        r.bytesChecked(),
                        r.damaged().stream().map(ChunkId::toHex).toList(),
                        r.chunksMissing()))
            .toList();
    long damaged = checked.stream().mapToLong(c -> c.damaged().size()).sum();
    PrintWriter out = spec.commandLine().getOut();
    if (output.json) {
      OutputOption.printJson(out, new Verified(checked, damaged));
    } else {
      for (Checked c : checked) {
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
          checked.size(), damaged, damaged == 0 ? "" : "; a node fetches them again");
    }
    return damaged == 0 ? 0 : Main.EXIT_FAILURE;
  }
}
