package io.shoal.cli;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.Materializer;
import io.shoal.gossip.Endpoint;
import io.shoal.node.FetchResult;
import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.node.TransferView;
import io.shoal.node.api.GetCall;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    description =
        "One shot: a temporary node joins the swarm, fetches NAME[@VERSION] from many peers at once,"
            + " writes it to PATH and leaves. With --data the store is kept, so a later fetch moves"
            + " only the delta.")
final class FetchCommand implements Callable<Integer> {
  static final Duration ANNOUNCEMENT_WAIT = Duration.ofSeconds(30);

  @Spec CommandSpec spec;
  @Mixin OutputOption output;

  @Parameters(
      index = "0",
      paramLabel = "NAME[@VERSION]",
      description = "snapshot (default version: the swarm's newest)")
  String ref;

  @Mixin WriteTargetOptions write;
  @Mixin RateLimitOptions limits;

  @Option(
      names = "--join",
      paramLabel = "HOST:PORT",
      split = ",",
      required = true,
      description = "peers to join through")
  List<String> join = new ArrayList<>();

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "keep the store here (default: a temporary directory, removed afterwards)")
  Path dataDir;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description =
          "peer address of the temporary node (default: 0.0.0.0:0 with --credentials, else"
              + " 127.0.0.1:0; any free port). Chunks arrive over the connections the node opens,"
              + " so loopback is enough to fetch")
  String listen;

  @Option(
      names = "--credentials",
      paramLabel = "NODEDIR",
      description =
          "a node credential of the swarm's cluster (from 'shoal cluster issue'); needed to fetch"
              + " from a secured swarm")
  Path credentials;

  @Option(
      names = "--insecure",
      description =
          "allow a non-loopback --listen without credentials (no TLS; anyone can connect)")
  boolean insecure;

  @Option(
      names = "--cluster-id",
      paramLabel = "NAME",
      description = "cluster name of an insecure swarm (default: default)")
  String clusterId;

  @Override
  public Integer call() throws Exception {
    SnapshotRef snapshot = SnapshotRef.parse(ref);
    List<Endpoint> seeds = new ArrayList<>();
    for (String s : join) {
      seeds.add(Endpoint.parse(s));
    }
    Path dir = dataDir != null ? dataDir : Files.createTempDirectory("shoal-fetch-");
    HostPort at =
        HostPort.parse(listen != null ? listen : credentials != null ? "0.0.0.0:0" : "127.0.0.1:0");
    NodeConfig config =
        NodeConfig.defaults(dir)
            .withListen(at.host(), at.port())
            .withHttp("127.0.0.1", 0)
            .withSeeds(seeds)
            .withClusterId(Security.clusterId(clusterId, credentials))
            .withCredentials(Security.load(credentials))
            .withInsecure(insecure)
            .withKeep(0)
            .withUploadLimit(limits.uploadBytesPerSecond)
            .withDownloadLimit(limits.downloadBytesPerSecond);
    long start = System.nanoTime();
    boolean toStdout = write.target.equals("-");
    // Without a store to keep, data chunks go straight into the output as they arrive.
    boolean direct = dataDir == null && !toStdout;
    Path dest = toStdout ? null : Path.of(write.target).toAbsolutePath().normalize();
    var options = write.materializerOptions();
    try (ShoalNode node = ShoalNode.start(config);
        ProgressBars progress = ProgressBars.forTerminal()) {
      CompletableFuture<ShoalNode.Fetched> fetch =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return direct
                      ? node.fetchTo(snapshot, ANNOUNCEMENT_WAIT, dest, options)
                      : node.fetch(snapshot, ANNOUNCEMENT_WAIT);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      ShoalNode.Fetched fetched = await(fetch, node, snapshot.name(), progress);
      if (!direct && !toStdout) {
        progress.writing(fetched.entry().sizeBytes());
        node.materialize(
            new GetCall(fetched.entry().label(), dest.toString(), write.force, !write.noSync));
      }
      progress.complete();
      progress.close(); // the summary below stays on screen
      var out = spec.commandLine().getOut();
      if (toStdout) {
        streamToStdout(node, fetched);
        out = spec.commandLine().getErr();
      }
      report(out, fetched, System.nanoTime() - start);
    } finally {
      if (dataDir == null) {
        Materializer.deleteTreeQuietly(dir);
      }
    }
    return 0;
  }

  private static ShoalNode.Fetched await(
      CompletableFuture<ShoalNode.Fetched> fetch,
      ShoalNode node,
      String name,
      ProgressBars progress)
      throws Exception {
    while (true) {
      try {
        return fetch.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        for (TransferView v : node.transfers()) {
          if (v.name().equals(name)) {
            progress.update(v);
          }
        }
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable c =
            e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
        throw c instanceof Exception x ? x : new RuntimeException(c);
      }
    }
  }

  private static void streamToStdout(ShoalNode node, ShoalNode.Fetched fetched) throws Exception {
    var reader = new io.shoal.chunkstore.snapshot.SnapshotReader(node.store());
    var root = reader.root(fetched.entry().root());
    if (!root.singleFile()) {
      throw new CliException(
          fetched.entry().label() + " is a directory snapshot; '-o -' streams single files only");
    }
    OutputStream out = new BufferedOutputStream(System.out, 1 << 20);
    try (InputStream in = reader.openFile(root, reader.fileTable(root).entries().get(0))) {
      in.transferTo(out);
    }
    out.flush();
  }

  /**
   * What {@code --json} prints: the fields {@code get} and {@code ls} also print carry their names
   * ({@code name}, {@code version}, {@code root}, {@code path}, {@code sizeBytes}, {@code seconds}
   * end to end).
   */
  record Report(
      String name,
      long version,
      String root,
      String path,
      long sizeBytes,
      long fetchedBytes,
      int peers,
      double fetchSeconds,
      double seconds) {}

  private void report(java.io.PrintWriter out, ShoalNode.Fetched f, long nanos) {
    FetchResult r = f.result();
    if (output.json) {
      OutputOption.printJson(
          out,
          new Report(
              f.entry().name(),
              f.entry().version(),
              f.entry().root().toHex(),
              write.target,
              f.entry().sizeBytes(),
              r == null ? 0 : r.fetchedBytes(),
              r == null ? 0 : r.peers(),
              r == null ? 0 : r.seconds(),
              nanos / 1e9));
      return;
    }
    out = LoggingOptions.informational(out);
    if (r == null) {
      out.printf(
          "%s was already in %s; wrote it to %s%n", f.entry().label(), dataDir, write.target);
      return;
    }
    out.printf(
        "fetched %s: %s new of %s from %d peer(s) in %s (%s end to end); wrote it to %s%n",
        f.entry().label(),
        Human.bytes(r.fetchedBytes()),
        Human.bytes(r.sizeBytes()),
        r.peers(),
        Human.seconds((long) (r.seconds() * 1e9)),
        Human.rate(r.sizeBytes(), nanos),
        write.target);
  }
}
