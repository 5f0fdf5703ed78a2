package io.shoal.examples.kv;

import io.shoal.api.Appended;
import io.shoal.api.Shoal;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.gossip.Endpoint;
import io.shoal.node.NodeConfig;
import io.shoal.node.security.CertificateAuthority;
import io.shoal.node.security.NodeCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The example service's processes: {@code serve} runs one replica with its embedded node; {@code
 * load} and {@code mark} write through the writer's node, as a client found through its data
 * directory; {@code credentials} makes the cluster's CA and the replicas' credentials.
 */
@Command(
    name = "rocksdb-kv",
    mixinStandardHelpOptions = true,
    subcommands = {
      KvMain.Credentials.class,
      KvMain.Serve.class,
      KvMain.Load.class,
      KvMain.Mark.class
    },
    description = "A key-value service on RocksDB that recovers through shoal.")
public final class KvMain {
  private KvMain() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("serve")) {
      // A replica runs long: its log lines carry their time, as a shoal node's do.
      System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
      System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    }
    System.exit(new CommandLine(KvMain.class).execute(args));
  }

  @Command(name = "credentials", description = "Make a CA and a credential per replica.")
  static final class Credentials implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "Where the CA and credentials go.")
    Path dir;

    @Option(names = "--replicas", defaultValue = "3")
    int replicas;

    @Override
    public Integer call() throws IOException {
      CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), Instant.now());
      for (int i = 1; i <= replicas; i++) {
        ca.issue(dir.resolve("kv-" + i), Duration.ofDays(30), Instant.now());
      }
      return 0;
    }
  }

  @Command(name = "serve", description = "Run one replica until killed.")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "The replica's directory.")
    Path dir;

    @Option(names = "--credentials", required = true)
    Path credentials;

    @Option(names = "--port", required = true, description = "The node's peer port.")
    int port;

    @Option(names = "--join", description = "A peer to join (host:port).")
    List<String> join = new ArrayList<>();

    @Option(names = "--first", description = "Start empty if no checkpoint is announced.")
    boolean first;

    @Option(
        names = "--publish-every",
        defaultValue = "0",
        description = "Seconds between checkpoints (0: this replica publishes none).")
    int publishEvery;

    @Override
    public Integer call() throws Exception {
      List<Endpoint> seeds = join.stream().map(Endpoint::parse).toList();
      NodeConfig config =
          NodeConfig.defaults(dir.resolve("node"))
              .withListen("127.0.0.1", port)
              .withHttp("127.0.0.1", 0)
              .withSeeds(seeds)
              .withFollow(List.of(KvReplica.NAME))
              .withCredentials(NodeCredentials.load(credentials, Instant.now()))
              .toBuilder()
              .logs(new ChangeLog.Options(2 << 20, Duration.ofMillis(200)))
              .build();
      CountDownLatch stop = new CountDownLatch(1);
      try (Shoal shoal = Shoal.start(config);
          KvReplica replica = new KvReplica(shoal, dir)) {
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        replica.recover(first, Duration.ofSeconds(60));
        System.out.println("ready " + dir);
        Thread follower = new Thread(replica::follow, "kv-apply");
        follower.start();
        ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor();
        if (publishEvery > 0) {
          publisher.scheduleWithFixedDelay(
              () -> {
                try {
                  replica.publishIfChanged();
                } catch (IOException | RuntimeException e) {
                  System.err.println("checkpoint failed: " + e.getMessage());
                }
              },
              publishEvery,
              publishEvery,
              TimeUnit.SECONDS);
        }
        stop.await();
        publisher.shutdownNow();
        replica.close();
        follower.join(5000);
      }
      return 0;
    }
  }

  @Command(name = "load", description = "Write generated keys through the writer's node.")
  static final class Load implements Callable<Integer> {
    @Option(names = "--node", required = true, description = "The writer node's data directory.")
    Path node;

    @Option(names = "--keys", required = true)
    long keys;

    @Option(names = "--first-key", defaultValue = "0")
    long firstKey;

    @Option(names = "--value-bytes", defaultValue = "1000")
    int valueBytes;

    @Option(names = "--round", defaultValue = "0", description = "Changes the generated values.")
    long round;

    @Option(names = "--batch-bytes", defaultValue = "262144")
    int batchBytes;

    @Override
    public Integer call() throws IOException {
      int perBatch = Math.max(1, batchBytes / (valueBytes + 19));
      long start = System.nanoTime();
      long bytes = 0;
      Appended last = null;
      try (Shoal shoal = Shoal.connect(node)) {
        for (long k = firstKey; k < firstKey + keys; k += perBatch) {
          int n = (int) Math.min(perBatch, firstKey + keys - k);
          byte[] batch = KvRecords.putBatch(k, n, round, valueBytes);
          last = shoal.append(KvReplica.NAME, List.of(batch));
          bytes += batch.length;
        }
      }
      double s = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "loaded %d keys, %d bytes in %.1f s (%.1f MiB/s); log end %d%n",
          keys, bytes, s, bytes / s / (1 << 20), last == null ? 0 : last.end());
      return 0;
    }
  }

  @Command(name = "mark", description = "Append a check mark: every replica digests its state.")
  static final class Mark implements Callable<Integer> {
    @Option(names = "--node", required = true, description = "The writer node's data directory.")
    Path node;

    @Option(names = "--id", required = true)
    String id;

    @Override
    public Integer call() throws IOException {
      try (Shoal shoal = Shoal.connect(node)) {
        Appended a = shoal.append(KvReplica.NAME, List.of(KvRecords.check(id)));
        System.out.println("check " + id + " at offset " + a.first());
      }
      return 0;
    }
  }
}
