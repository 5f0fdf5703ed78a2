package io.shoal.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.chunkstore.snapshot.CatalogListing;
import io.shoal.chunkstore.snapshot.CatalogListing.Listed;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.node.api.FilePage;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = {
      "List snapshots: names, versions, sizes, and what each version shares with the one before.",
      "With NAME[@VERSION], list the files and directories of that snapshot (default: its newest"
          + " complete version) with mode and size."
    })
final class LsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption data;
  @Mixin OutputOption output;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "NAME[@VERSION]",
      description = "the snapshot whose files to list")
  String ref;

  @Override
  public Integer call() throws Exception {
    if (ref != null) {
      io.shoal.chunkstore.SnapshotRef.parse(ref); // a malformed name fails before the store opens
      try (StoreAccess access = StoreAccess.reachToRead(data.dir)) {
        listFiles(access);
      }
      return 0;
    }
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

  /**
   * Prints the file table page by page ({@link FilePage#MAX_ENTRIES} entries each), so a table of
   * millions is never held twice: text in fixed columns, or JSON written as it goes.
   */
  private void listFiles(StoreAccess access) throws IOException {
    Optional<NodeClient> node = access.node();
    SnapshotReader reader = node.isPresent() ? null : new SnapshotReader(access.store());
    PrintWriter out = spec.commandLine().getOut();
    FileListing listing = output.json ? new JsonListing(out) : new TextListing(out);
    String at = ref;
    long from = 0;
    while (true) {
      FilePage page =
          node.isPresent()
              ? node.get().get("/files?ref=" + encode(at) + "&from=" + from, FilePage.class)
              : FilePage.read(reader, at, from);
      if (from == 0) {
        at = page.name() + "@" + page.version(); // later pages read the same version
        listing.begin(page);
      }
      for (FilePage.Entry e : page.entries()) {
        listing.entry(e);
      }
      from = page.next();
      if (page.entries().isEmpty() || from >= page.entryCount()) {
        listing.end(page);
        return;
      }
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Where the entries of a listing go, one page after another. */
  private interface FileListing {
    void begin(FilePage first) throws IOException;

    void entry(FilePage.Entry e) throws IOException;

    void end(FilePage last) throws IOException;
  }

  /** {@code MODE SIZE PATH} lines (fixed widths: nothing is buffered to measure), then totals. */
  private static final class TextListing implements FileListing {
    private final PrintWriter out;
    private long files;
    private long directories;
    private long bytes;

    TextListing(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void begin(FilePage first) {
      out.printf("%-10s  %10s  %s%n", "MODE", "SIZE", "PATH");
    }

    @Override
    public void entry(FilePage.Entry e) {
      if (e.directory()) {
        directories++;
      } else {
        files++;
        bytes += e.sizeBytes();
      }
      out.printf(
          "%-10s  %10s  %s%n",
          modeString(e), e.directory() ? "-" : Human.bytes(e.sizeBytes()), e.path());
    }

    @Override
    public void end(FilePage last) {
      out.printf(
          "%s@%d (%s): %d file(s), %d director%s, %s%n",
          last.name(),
          last.version(),
          last.complete() ? "complete" : "partial here",
          files,
          directories,
          directories == 1 ? "y" : "ies",
          Human.bytes(bytes));
    }

    /** {@code drwxr-xr-x} / {@code -rw-r--r--}, as {@code ls -l} shows it. */
    static String modeString(FilePage.Entry e) {
      int mode = Integer.parseInt(e.mode(), 8);
      StringBuilder b = new StringBuilder(e.directory() ? "d" : "-");
      String letters = "rwxrwxrwx";
      for (int i = 0; i < 9; i++) {
        b.append((mode & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
      }
      return b.toString();
    }
  }

  /** The listing as one JSON object, its {@code entries} array written entry by entry. */
  private static final class JsonListing implements FileListing {
    private final JsonGenerator json;

    JsonListing(PrintWriter out) throws IOException {
      ObjectMapper mapper = new ObjectMapper();
      this.json = mapper.getFactory().createGenerator(out);
      json.setCodec(mapper);
      json.useDefaultPrettyPrinter();
    }

    @Override
    public void begin(FilePage first) throws IOException {
      json.writeStartObject();
      json.writeStringField("name", first.name());
      json.writeNumberField("version", first.version());
      json.writeStringField("root", first.root());
      json.writeBooleanField("complete", first.complete());
      json.writeNumberField("entryCount", first.entryCount());
      json.writeArrayFieldStart("entries");
    }

    @Override
    public void entry(FilePage.Entry e) throws IOException {
      json.writeObject(e);
    }

    @Override
    public void end(FilePage last) throws IOException {
      json.writeEndArray();
      json.writeEndObject();
      json.writeRaw('\n');
      json.flush();
    }
  }
}
