package io.shoal.cli;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.FileEntry;
import io.shoal.chunkstore.snapshot.Materializer;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description =
        "Write a snapshot out, verifying every chunk: a single-file snapshot becomes the file"
            + " PATH, a directory snapshot the directory PATH; '-o -' streams a single file to"
            + " stdout.")
final class GetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption data;
  @Mixin OutputOption output;

  @Parameters(
      index = "0",
      paramLabel = "NAME[@VERSION]",
      description = "snapshot (default version: newest complete)")
  String ref;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "PATH",
      required = true,
      description = "where to write it; - for stdout")
  String target;

  @Option(names = "--force", description = "replace PATH if it exists")
  boolean force;

  @Option(
      names = "--no-sync",
      description = "skip the fsyncs that make the result durable before it appears")
  boolean noSync;

  /** What {@code --json} prints. */
  record Written(
      String name,
      long version,
      String root,
      String path,
      long files,
      long bytes,
      double seconds) {}

  @Override
  public Integer call() throws Exception {
    SnapshotRef snapshot = SnapshotRef.parse(ref);
    try (ChunkStore store = ChunkStore.open(data.dir)) {
      CatalogEntry entry = resolve(store, snapshot);
      SnapshotReader reader = new SnapshotReader(store);
      long start = System.nanoTime();
      if (target.equals("-")) {
        long bytes = streamToStdout(reader, entry);
        report(entry, "stdout", 1, bytes, System.nanoTime() - start, true);
        return 0;
      }
      Materializer.Result result;
      try (ProgressBars progress = ProgressBars.forTerminal("get " + entry.label())) {
        Materializer.Options options =
            Materializer.Options.defaults().withOverwrite(force).withSync(!noSync);
        result = Materializer.materialize(reader, entry.root(), Path.of(target), options, progress);
      }
      report(entry, target, result.files(), result.bytes(), System.nanoTime() - start, false);
      return 0;
    }
  }

  static CatalogEntry resolve(ChunkStore store, SnapshotRef snapshot) {
    return snapshot
        .resolve(store.catalog())
        .orElseThrow(
            () -> {
              var versions = store.catalog().versions(snapshot.name());
              return new CliException(
                  versions.isEmpty()
                      ? "no snapshot named '"
                          + snapshot.name()
                          + "' here; 'shoal ls' lists what there is"
                      : "no complete "
                          + snapshot
                          + " here; versions held: "
                          + versions.stream()
                              .map(e -> e.version() + (e.complete() ? "" : " (partial)"))
                              .toList());
            });
  }

  private long streamToStdout(SnapshotReader reader, CatalogEntry entry) throws Exception {
    SnapshotRoot root = reader.root(entry.root());
    if (!root.singleFile()) {
      throw new CliException(
          entry.label() + " is a directory snapshot; '-o -' streams single files only");
    }
    FileEntry file = reader.fileTable(root).entries().get(0);
    OutputStream out = new BufferedOutputStream(System.out, 1 << 20);
    try (InputStream in = reader.openFile(root, file)) {
      long n = in.transferTo(out);
      out.flush();
      return n;
    }
  }

  private void report(
      CatalogEntry entry, String where, long files, long bytes, long nanos, boolean toStderr) {
    var out = toStderr ? spec.commandLine().getErr() : spec.commandLine().getOut();
    if (output.json) {
      OutputOption.printJson(
          out,
          new Written(
              entry.name(),
              entry.version(),
              entry.root().toHex(),
              where,
              files,
              bytes,
              nanos / 1e9));
    } else {
      out.printf(
          "wrote %s to %s: %s in %d file(s), %s, %s%n",
          entry.label(),
          where,
          Human.bytes(bytes),
          files,
          Human.seconds(nanos),
          Human.rate(bytes, nanos));
    }
  }
}
