package io.shoal.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.chunkstore.snapshot.CatalogListing.Listed;
import io.shoal.chunkstore.snapshot.FileEntry;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.chunkstore.snapshot.Materializer;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.node.api.GetCall;
import io.shoal.node.api.Written;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
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
            + " stdout. Through a running node, what the node lacks is fetched first; with --path,"
            + " only the data of the files selected.")
final class GetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption data;
  @Mixin OutputOption output;

  @Parameters(
      index = "0",
      paramLabel = "NAME[@VERSION]",
      description = "snapshot (default version: newest complete)")
  String ref;

  @Mixin WriteTargetOptions write;

  @Option(
      names = "--path",
      paramLabel = "GLOB",
      description =
          "write (and fetch) only the files whose path in the snapshot, or a directory above"
              + " it, matches GLOB: 'docs', 'docs/**/*.md', '*.bin'; repeatable")
  List<String> paths = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    SnapshotRef snapshot = SnapshotRef.parse(ref);
    FileSelection selection = FileSelection.of(paths); // a malformed glob fails here, in one line
    if (!selection.isAll() && write.target.equals("-")) {
      throw new CliException("--path writes files under -o DIR; '-o -' streams whole snapshots");
    }
    try (StoreAccess access = StoreAccess.reachToRead(data.dir)) {
      Optional<NodeClient> node = access.node();
      if (node.isPresent()) {
        viaNode(snapshot, node.get());
      } else {
        offline(snapshot, access.store());
      }
      return 0;
    }
  }

  private void viaNode(SnapshotRef snapshot, NodeClient node) throws Exception {
    if (write.target.equals("-")) {
      // Pinned to the version held, so the bytes streamed and the report name the same one.
      Optional<Listed> held = newestComplete(snapshot, node);
      SnapshotRef pinned =
          held.map(l -> new SnapshotRef(l.name(), OptionalLong.of(l.version()))).orElse(snapshot);
      long start = System.nanoTime();
      long bytes = node.download("/snapshots/" + pinned + "/", System.out);
      report(
          new Written(
              pinned.name(),
              pinned.version().orElse(0),
              held.map(Listed::root).orElse(""),
              "stdout",
              held.map(Listed::sizeBytes).orElse(bytes),
              1,
              bytes,
              (System.nanoTime() - start) / 1e9),
          true);
      return;
    }
    GetCall call =
        new GetCall(
            ref,
            Path.of(write.target).toAbsolutePath().normalize().toString(),
            write.force,
            !write.noSync,
            List.copyOf(paths));
    Written w;
    try (ProgressBars progress = ProgressBars.forTerminal()) {
      w = node.postWithProgress("/get", call, Written.class, snapshot.name(), progress);
      progress.complete();
    }
    report(w, false);
  }

  private static Optional<Listed> newestComplete(SnapshotRef snapshot, NodeClient node)
      throws java.io.IOException {
    return node.get("/ls", new TypeReference<List<Listed>>() {}).stream()
        .filter(l -> l.name().equals(snapshot.name()) && l.complete())
        .filter(l -> snapshot.version().isEmpty() || snapshot.version().getAsLong() == l.version())
        .max(Comparator.comparingLong(Listed::version));
  }

  private void offline(SnapshotRef snapshot, ChunkStore store) throws Exception {
    CatalogEntry entry = resolve(store, snapshot);
    SnapshotReader reader = new SnapshotReader(store);
    long start = System.nanoTime();
    if (write.target.equals("-")) {
      long bytes = streamToStdout(reader, entry);
      report(
          written(entry, "stdout", 1, bytes, start, reader.root(entry.root()).logOffset()), true);
      return;
    }
    Materializer.Result result;
    try (ProgressBars progress = ProgressBars.forTerminal()) {
      Materializer.Options options =
          write.materializerOptions().withSelection(FileSelection.of(paths));
      result =
          Materializer.materialize(reader, entry.root(), Path.of(write.target), options, progress);
      progress.complete();
    }
    report(
        written(
            entry,
            write.target,
            result.files(),
            result.bytes(),
            start,
            reader.root(entry.root()).logOffset()),
        false);
  }

  private static Written written(
      CatalogEntry e, String where, long files, long bytes, long startNanos, long logOffset) {
    return new Written(
        e.name(),
        e.version(),
        e.root().toHex(),
        where,
        e.sizeBytes(),
        files,
        bytes,
        (System.nanoTime() - startNanos) / 1e9,
        logOffset);
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

  private void report(Written w, boolean toStderr) {
    var out = toStderr ? spec.commandLine().getErr() : spec.commandLine().getOut();
    if (output.json) {
      OutputOption.printJson(out, w);
    } else {
      long nanos = Math.round(w.seconds() * 1e9);
      out = LoggingOptions.informational(out);
      out.printf(
          "wrote %s to %s: %s in %d file(s), %s, %s%n",
          w.version() > 0 ? w.name() + "@" + w.version() : w.name(),
          w.path(),
          Human.bytes(w.writtenBytes()),
          w.files(),
          Human.seconds(nanos),
          Human.rate(w.writtenBytes(), nanos));
      if (w.logOffset() >= 0 && !w.name().startsWith(ChangeLog.SNAPSHOT_PREFIX)) {
        out.printf(
            "it holds log %s before offset %d: replay with 'shoal log read %s --from %d'%n",
            w.name(), w.logOffset(), w.name(), w.logOffset());
      }
    }
  }
}
