package io.shoal.cli;

import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.Materializer;
import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.node.TransferView;
import io.shoal.node.api.GetCall;
import io.shoal.node.api.PublishCall;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Start a small swarm of real nodes on loopback in temporary directories, publish a generated"
            + " snapshot, let a fresh node fetch it from all of them, show the status and the"
            + " throughput, and clean up.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      defaultValue = "4",
      description = "seeding nodes (default: ${DEFAULT-VALUE})")
  int seeders;

  @Option(
      names = "--size",
      paramLabel = "MiB",
      defaultValue = "256",
      description = "size of the generated snapshot (default: ${DEFAULT-VALUE} MiB)")
  int sizeMib;

  @Option(names = "--keep-files", description = "leave the temporary directory in place")
  boolean keepFiles;

  private io.shoal.node.security.CertificateAuthority ca;

  /** A node of the demo's own cluster: a credential issued by its CA, TLS between all nodes. */
  private NodeConfig config(Path dataDir) throws IOException {
    Path credentials = dataDir.resolveSibling(dataDir.getFileName() + "-credentials");
    ca.issue(
        credentials,
        java.time.Duration.ofDays(io.shoal.node.security.CertificateAuthority.DEFAULT_NODE_DAYS),
        java.time.Instant.now());
    return NodeConfig.loopback(dataDir)
        .withCredentials(
            io.shoal.node.security.NodeCredentials.load(credentials, java.time.Instant.now()));
  }

  @Override
  public Integer call() throws Exception {
    if (seeders < 1 || seeders > 16 || sizeMib < 1 || sizeMib > 8192) {
      throw new CliException("--nodes must be 1 to 16 and --size 1 to 8192 MiB");
    }
    PrintWriter out = spec.commandLine().getOut();
    Path dir = Files.createTempDirectory("shoal-demo-");
    List<ShoalNode> nodes = new ArrayList<>();
    try {
      out.printf(
          "shoal demo: %d seeding node(s) and 1 fresh node on loopback, in %s%n", seeders, dir);
      Path source = prepare(out, dir);
      long version = seed(out, dir, source, nodes);
      ShoalNode fresh = joinFresh(out, dir, nodes, version);
      long start = System.nanoTime();
      ShoalNode.Fetched got = fetchWithProgress(fresh);
      long fetchNanos = System.nanoTime() - start;
      Path copy = dir.resolve("copy");
      fresh.materialize(new GetCall("demo", copy.toString(), false, false));
      io.shoal.cli.TreeCompare.requireSame(source, copy);
      out.printf(
          "  fetched %s from %d peers in %s: %s; the copy matches the source byte for byte%n%n",
          Human.bytes(got.result().fetchedBytes()),
          got.result().peers(),
          Human.seconds(fetchNanos),
          Human.rate(got.result().fetchedBytes(), fetchNanos));
      out.print(StatusCommand.render(fresh.status()));
      out.flush();
    } finally {
      for (ShoalNode n : nodes) {
        n.close();
      }
      if (!keepFiles) {
        Materializer.deleteTreeQuietly(dir);
        out.println();
        out.println("stopped the nodes and removed " + dir);
      } else {
        out.println("left the nodes' files in " + dir);
      }
    }
    return 0;
  }

  /** Makes the cluster's CA and the snapshot's source files; returns the source directory. */
  private Path prepare(PrintWriter out, Path dir) throws Exception {
    ca =
        io.shoal.node.security.CertificateAuthority.init(
            dir.resolve("ca"), java.time.Instant.now());
    out.printf(
        "  made a cluster CA (cluster %s) and a credential for each node: peers talk TLS 1.3%n",
        ca.clusterId().substring(0, 12));
    Path source = dir.resolve("source");
    long files = generate(source, (long) sizeMib << 20);
    long bytes = sizeOf(source);
    out.printf("  generated the snapshot 'demo': %s in %d files%n", Human.bytes(bytes), files);
    out.flush();
    return source;
  }

  /**
   * Starts the seeders, publishes on the first and waits until every seeder holds the snapshot;
   * returns the published version.
   */
  private long seed(PrintWriter out, Path dir, Path source, List<ShoalNode> nodes)
      throws Exception {
    ShoalNode first = ShoalNode.start(config(dir.resolve("node1")));
    nodes.add(first);
    for (int i = 2; i <= seeders; i++) {
      nodes.add(
          ShoalNode.start(
              config(dir.resolve("node" + i))
                  .withSeeds(List.of(first.peerAddress()))
                  .withFollow(List.of("*"))));
    }
    long t0 = System.nanoTime();
    var published = first.publish(new PublishCall("demo", source.toString(), null, null, null));
    out.printf(
        "  node1 published demo@%d (root %s) in %s%n",
        published.version(),
        published.root().substring(0, 12),
        Human.seconds(System.nanoTime() - t0));
    out.flush();
    t0 = System.nanoTime();
    while (!nodes.stream().allMatch(n -> n.store().catalog().latestComplete("demo").isPresent())) {
      if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(5)) {
        throw new CliException("the seeders did not replicate the snapshot within 5 minutes");
      }
      Thread.sleep(50);
    }
    if (seeders > 1) {
      out.printf(
          "  node2..node%d followed '*' and fetched it from the swarm in %s%n",
          seeders, Human.seconds(System.nanoTime() - t0));
    }
    return published.version();
  }

  /** Starts the fresh node and waits until it sees every seeder alive. */
  private ShoalNode joinFresh(PrintWriter out, Path dir, List<ShoalNode> nodes, long version)
      throws Exception {
    out.printf(
        "  a fresh node joins and fetches demo@%d from all %d seeder(s):%n", version, seeders);
    out.flush();
    ShoalNode fresh =
        ShoalNode.start(
            config(dir.resolve("fresh")).withSeeds(List.of(nodes.get(0).peerAddress())));
    nodes.add(fresh);
    while (fresh.status().members().stream().filter(m -> m.state().equals("alive")).count()
        < seeders + 1) {
      Thread.sleep(20);
    }
    return fresh;
  }

  /** Fetches the snapshot on {@code fresh}, drawing its progress on the terminal. */
  private static ShoalNode.Fetched fetchWithProgress(ShoalNode fresh) throws Exception {
    try (ProgressBars progress = ProgressBars.forTerminal()) {
      CompletableFuture<ShoalNode.Fetched> f =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return fresh.fetch(SnapshotRef.parse("demo"), Duration.ofSeconds(30));
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      while (true) {
        try {
          return f.get(200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          for (TransferView v : fresh.transfers()) {
            progress.update(v);
          }
        }
      }
    }
  }

  /** Writes a mix: one large random file, compressible text, and many small files. */
  static long generate(Path dir, long size) throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    Files.createDirectories(dir.resolve("small"));
    SplittableRandom random = new SplittableRandom(42);
    writeRandom(dir.resolve("data.bin"), size / 2, random);
    long files = 1;
    long text = size / 4;
    for (int i = 0; text > 0; i++) {
      long n = Math.min(text, 8L << 20);
      try (OutputStream o = Files.newOutputStream(dir.resolve("logs/app-" + i + ".log"))) {
        long written = 0;
        StringBuilder sb = new StringBuilder();
        while (written < n) {
          sb.setLength(0);
          sb.append("2026-11-25T10:")
              .append(random.nextInt(10, 60))
              .append(":00Z INFO request ")
              .append(random.nextInt(1_000_000))
              .append(" served in ")
              .append(random.nextInt(900))
              .append(" ms\n");
          byte[] line = sb.toString().getBytes(StandardCharsets.UTF_8);
          int take = (int) Math.min(line.length, n - written);
          o.write(line, 0, take);
          written += take;
        }
      }
      text -= n;
      files++;
    }
    long small = size - size / 2 - size / 4;
    for (int i = 0; small > 0; i++) {
      int n = (int) Math.min(small, random.nextInt(1024, 8192));
      byte[] b = new byte[n];
      random.nextBytes(b);
      Files.write(dir.resolve(String.format("small/f%05d.bin", i)), b);
      small -= n;
      files++;
    }
    return files;
  }

  private static void writeRandom(Path file, long size, SplittableRandom random)
      throws IOException {
    byte[] block = new byte[1 << 20];
    try (OutputStream o = Files.newOutputStream(file)) {
      for (long left = size; left > 0; left -= block.length) {
        random.nextBytes(block);
        o.write(block, 0, (int) Math.min(block.length, left));
      }
    }
  }

  private static long sizeOf(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
