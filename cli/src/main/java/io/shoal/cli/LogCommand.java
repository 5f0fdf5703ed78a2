package io.shoal.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.chunkstore.SnapshotName;
import io.shoal.node.api.LogAppended;
import io.shoal.node.api.LogBatch;
import io.shoal.node.api.LogInfo;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code shoal log}: append to, read and list the change logs of the running node. */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description =
        "Change logs: ordered records beside the snapshots, numbered by offset from 0, durable once"
            + " appended. Made through the running node.",
    subcommands = {LogCommand.Append.class, LogCommand.Read.class, LogCommand.Ls.class})
final class LogCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** Most record bytes sent in one request: the HTTP API's body bound. */
  static final int MAX_REQUEST_BYTES = 1 << 20;

  /** Most records sent in one request. */
  static final int MAX_REQUEST_RECORDS = 10_000;

  @Command(
      name = "append",
      mixinStandardHelpOptions = true,
      description = {
        "Append FILE (or standard input) to log NAME as one record, or with --lines one record per"
            + " line, and print the offsets they got. The log is created by its first append.",
        "A record holds at most 1 MiB."
      })
  static final class Append implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataDirOption data;
    @Mixin OutputOption output;

    @Parameters(index = "0", paramLabel = "NAME", description = "the log")
    String name;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "FILE",
        description = "what to append; '-' or none reads standard input")
    String file;

    @Option(names = "--lines", description = "one record per line (the newlines are not kept)")
    boolean lines;

    @Override
    public Integer call() throws Exception {
      checkName(name);
      NodeClient node = NodeClient.find(data.dir).orElseThrow(() -> NodeClient.noNodeOn(data.dir));
      String path = "/log/append?name=" + name + (lines ? "&split=lines" : "");
      List<LogAppended> done = new ArrayList<>();
      try (InputStream in = open(file)) {
        if (lines) {
          LineBatches batches = new LineBatches(in);
          for (byte[] body = batches.next(); body != null; body = batches.next()) {
            done.add(node.postBytes(path, body, LogAppended.class));
          }
        } else {
          byte[] record = in.readNBytes(MAX_REQUEST_BYTES + 1);
          if (record.length > MAX_REQUEST_BYTES) {
            throw new CliException(
                "a record holds at most 1 MiB; split the input with --lines, or append it in parts");
          }
          done.add(node.postBytes(path, record, LogAppended.class));
        }
      }
      print(done);
      return 0;
    }

    private void print(List<LogAppended> done) {
      PrintWriter out = spec.commandLine().getOut();
      long count = done.stream().mapToLong(LogAppended::count).sum();
      long first = done.isEmpty() ? 0 : done.get(0).first();
      long end = done.isEmpty() ? 0 : done.get(done.size() - 1).end();
      if (output.json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("name", name);
        j.put("first", first);
        j.put("count", count);
        j.put("end", end);
        OutputOption.printJson(out, j);
      } else if (count == 0) {
        out.printf("nothing to append to %s%n", name);
      } else if (count == 1) {
        out.printf("appended 1 record to %s at offset %d%n", name, first);
      } else {
        out.printf("appended %d records to %s at offsets %d to %d%n", count, name, first, end - 1);
      }
    }
  }

  @Command(
      name = "read",
      mixinStandardHelpOptions = true,
      description = {
        "Print the records of log NAME from an offset on, in order: each record as a line of text,"
            + " or with --json one JSON object per line with its offset and its bytes in base64.",
        "With --follow, keep printing records as they are appended, until interrupted."
      })
  static final class Read implements Callable<Integer> {
    /** How long one request waits for new records when following. */
    static final long FOLLOW_WAIT_MILLIS = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec CommandSpec spec;
    @Mixin DataDirOption data;

    @Parameters(index = "0", paramLabel = "NAME", description = "the log")
    String name;

    @Option(
        names = "--from",
        paramLabel = "OFFSET",
        description = "the first offset to print (default: ${DEFAULT-VALUE})")
    long from = 0;

    @Option(names = "--follow", description = "wait for new records and print them as they come")
    boolean follow;

    @Option(names = "--json", description = "print JSON lines (offset and base64 data)")
    boolean json;

    @Override
    public Integer call() throws Exception {
      checkName(name);
      if (from < 0) {
        throw new CliException("--from must be at least 0, not " + from);
      }
      NodeClient node = NodeClient.find(data.dir).orElseThrow(() -> NodeClient.noNodeOn(data.dir));
      PrintWriter out = spec.commandLine().getOut();
      long next = from;
      while (true) {
        long wait = follow ? FOLLOW_WAIT_MILLIS : 0;
        LogBatch b =
            node.get("/log/read?name=" + name + "&from=" + next + "&wait=" + wait, LogBatch.class);
        for (LogBatch.Entry e : b.records()) {
          print(out, e);
        }
        out.flush();
        next = b.next();
        if (!follow && next >= b.end()) {
          return 0;
        }
      }
    }

    private void print(PrintWriter out, LogBatch.Entry e) throws IOException {
      if (json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("offset", e.offset());
        j.put("data", Base64.getEncoder().encodeToString(e.data()));
        out.println(JSON.writeValueAsString(j));
      } else {
        out.println(new String(e.data(), StandardCharsets.UTF_8));
      }
    }
  }

  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description = "List the change logs of the running node: offsets held, sealed, segments.")
  static final class Ls implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataDirOption data;
    @Mixin OutputOption output;

    @Override
    public Integer call() throws Exception {
      NodeClient node = NodeClient.find(data.dir).orElseThrow(() -> NodeClient.noNodeOn(data.dir));
      List<LogInfo> logs = node.get("/log/ls", new TypeReference<List<LogInfo>>() {});
      PrintWriter out = spec.commandLine().getOut();
      if (output.json) {
        OutputOption.printJson(out, logs);
        return 0;
      }
      if (logs.isEmpty()) {
        out.println("no change logs");
        return 0;
      }
      out.printf(
          "%-24s %12s %12s %12s %9s %12s%n", "NAME", "START", "END", "SEALED", "SEGMENTS", "SIZE");
      for (LogInfo l : logs) {
        out.printf(
            "%-24s %12d %12d %12d %9d %12s%n",
            l.name(), l.start(), l.end(), l.sealed(), l.segments(), Human.bytes(l.segmentBytes()));
      }
      return 0;
    }
  }

  private static void checkName(String name) {
    try {
      SnapshotName.check(name);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage().replace("snapshot name", "log name"));
    }
  }

  private static InputStream open(String file) throws IOException {
    if (file == null || file.equals("-")) {
      return System.in;
    }
    try {
      return Files.newInputStream(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new CliException("no such file: " + file);
    }
  }

  /**
   * The lines of a stream, grouped into request bodies of at most {@link #MAX_REQUEST_BYTES} and
   * {@link #MAX_REQUEST_RECORDS} lines each, joined by newlines as the node splits them.
   */
  static final class LineBatches {
    private final InputStream in;
    private final List<byte[]> pending = new ArrayList<>();
    private byte[] carried; // a line read that did not fit the last body
    private boolean ended;

    LineBatches(InputStream in) {
      this.in = new BufferedInputStream(in, 1 << 16);
    }

    /** The next body, or null at the end of the input. */
    byte[] next() throws IOException {
      pending.clear();
      long size = 0;
      if (carried != null) {
        pending.add(carried);
        size = carried.length;
        carried = null;
      }
      while (pending.size() < MAX_REQUEST_RECORDS) {
        byte[] line = readLine();
        if (line == null) {
          break;
        }
        if (!pending.isEmpty() && size + 1 + line.length > MAX_REQUEST_BYTES - 1) {
          carried = line;
          break;
        }
        pending.add(line);
        size += (pending.size() > 1 ? 1 : 0) + line.length;
      }
      if (pending.isEmpty()) {
        return null;
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream((int) size + 1);
      for (int i = 0; i < pending.size(); i++) {
        if (i > 0) {
          body.write('\n');
        }
        body.write(pending.get(i));
      }
      if (pending.get(pending.size() - 1).length == 0) {
        body.write('\n'); // the node drops a last empty line: keep the empty record
      }
      return body.toByteArray();
    }

    /** The next line without its newline; null at the end of the input. */
    private byte[] readLine() throws IOException {
      if (ended) {
        return null;
      }
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      while (true) {
        int b = in.read();
        if (b < 0) {
          ended = true;
          return line.size() == 0 ? null : line.toByteArray();
        }
        if (b == '\n') {
          return line.toByteArray();
        }
        if (line.size() == MAX_REQUEST_BYTES) {
          throw new CliException("a line is longer than 1 MiB, the most a record holds");
        }
        line.write(b);
      }
    }
  }
}
