package io.shoal.cli;

import io.shoal.chunkstore.StoreOptions;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.views.ViewConfig;
import io.shoal.node.Faults;
import io.shoal.node.MembershipMode;
import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    defaultValueProvider = ConfigFile.class,
    description =
        "Run a node: it owns the data directory, joins the swarm through any reachable seed,"
            + " gossips its catalog and serves peers and the HTTP API until SIGINT or SIGTERM,"
            + " then leaves gracefully.")
final class NodeCommand implements Callable<Integer> {
  /**
   * How long a starting node waits for its store while another process holds it: a CLI command's
   * read of the store takes well under this; past it the node refuses to start.
   */
  static final long STORE_LOCK_WAIT_MILLIS = 10_000;

  @Mixin DataDirOption data;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "read options from FILE, one 'key = value' a line, the keys being the long option names"
              + " without dashes (listen = 127.0.0.1:7420); options given here override the file")
  Path configFile;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "0.0.0.0:7420",
      description = "peer address (default: ${DEFAULT-VALUE})")
  String listen;

  @Option(
      names = "--advertise",
      paramLabel = "HOST:PORT",
      description = "peer address to tell others (default: derived from --listen)")
  String advertise;

  @Option(
      names = "--http",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:7421",
      description = "HTTP API address (default: ${DEFAULT-VALUE}, loopback only)")
  String httpAddress;

  @Option(
      names = "--http-expose",
      description =
          "let the HTTP API listen beyond loopback (it then needs TLS: the node's credentials)")
  boolean httpExpose;

  @Option(
      names = "--http-name",
      paramLabel = "NAME",
      description =
          "another Host name the HTTP API answers to, e.g. this machine's DNS name (repeatable;"
              + " requests naming other hosts are refused)")
  List<String> httpNames = new ArrayList<>();

  @Option(
      names = "--http-allow-origin",
      paramLabel = "ORIGIN",
      description =
          "a web origin (SCHEME://HOST[:PORT]) whose pages may call the HTTP API, with the token"
              + " (repeatable; none by default)")
  List<String> httpAllowOrigins = new ArrayList<>();

  @Option(
      names = "--open-gateway",
      description =
          "serve GET /snapshots/... without the token (read-only; every other route still needs"
              + " it)")
  boolean openGateway;

  @Option(
      names = "--join",
      paramLabel = "HOST:PORT",
      split = ",",
      description = "seeds to join through (comma-separated, repeatable)")
  List<String> join = new ArrayList<>();

  @Option(
      names = "--credentials",
      paramLabel = "NODEDIR",
      description =
          "the node's credential directory (from 'shoal cluster issue'): peers talk TLS 1.3 and"
              + " must hold a certificate of the same CA; the node id comes from the certificate."
              + " Renewals and revocations copied into it apply without a restart")
  Path credentials;

  @Option(
      names = "--insecure",
      description =
          "run without credentials on a non-loopback address: no TLS, and anyone who can reach"
              + " the address can join (without credentials a node listens on loopback only)")
  boolean insecure;

  @Option(
      names = "--cluster-id",
      paramLabel = "NAME",
      description =
          "cluster name of an insecure node; peers of other clusters are refused (default:"
              + " default). With --credentials the cluster id is derived from the CA")
  String clusterId;

  @Option(
      names = "--follow",
      paramLabel = "PATTERN",
      split = ",",
      description =
          "fetch the newest version of every name matching PATTERN as soon as gossip announces it (* and ? wildcards; comma-separated, repeatable; '*' follows all)")
  List<String> follow = new ArrayList<>();

  @Option(
      names = "--keep",
      paramLabel = "K",
      defaultValue = "10",
      description =
          "versions of each name to keep after a fetch or publication (default: ${DEFAULT-VALUE}; 0 keeps all)")
  int keep;

  @Mixin RateLimitOptions limits;

  @Option(
      names = "--scrub-rate",
      paramLabel = "MiB/s",
      defaultValue = "8",
      description =
          "read rate of the background scrub, which re-verifies every stored chunk and refetches"
              + " damaged ones (default: ${DEFAULT-VALUE}; 0 disables it)")
  double scrubRateMebibytes;

  @Option(
      names = "--no-compression",
      description = "never send chunks LZ4-compressed, even on slow links")
  boolean noCompression;

  @Option(
      names = "--trust-publisher",
      paramLabel = "NODE_ID",
      split = ",",
      description =
          "trust only these publishers' snapshots (node ids, comma-separated, repeatable); by"
              + " default every publisher with a valid credential of the cluster")
  List<String> trustPublishers = new ArrayList<>();

  @Option(
      names = "--require-sha256",
      description =
          "refuse to fetch, follow, serve or publish snapshots whose ids are not sha256 (for"
              + " swarms whose members are not all trusted: xxh128 is not collision resistant)")
  boolean requireSha256;

  @Option(
      names = "--zone",
      paramLabel = "NAME",
      description =
          "this node's zone (1-32 characters of a-z, 0-9, '.', '_', '-'; a rack, a data centre, a"
              + " region): fetches fill from peers in the same zone first and cross zones only for"
              + " chunks their zone does not have yet")
  String zone;

  @Option(
      names = "--membership",
      paramLabel = "MODE",
      defaultValue = "full",
      description =
          "full (default): every node knows every member (SWIM) and gossips catalogs; views:"
              + " partial views (HyParView links, Plumtree broadcast) for clusters past full"
              + " membership's size; every node of a cluster must use the same mode")
  String membership;

  @Option(
      names = "--active-view",
      paramLabel = "N",
      description =
          "with --membership views: links each node keeps (2 to 16; default 6, about log10 of the"
              + " cluster's size + 1)")
  Integer activeView;

  @Option(
      names = "--passive-view",
      paramLabel = "N",
      description =
          "with --membership views: peers each node knows to replace failed links (1 to 256;"
              + " default 30)")
  Integer passiveView;

  @Option(
      names = "--enable-fault-injection",
      description =
          "serve the admin route /admin/faults, through which the token's holder drops, delays or"
              + " freezes this node's peer traffic (for 'shoal testbed' and fault drills; never in"
              + " production)")
  boolean faultInjection;

  @Option(
      names = "--log-seal-ms",
      paramLabel = "MILLIS",
      defaultValue = "10000",
      description =
          "seal a change log's open records into a segment, which followers then fetch, after"
              + " this long (default: ${DEFAULT-VALUE}); or at 1 MiB")
  long logSealMillis;

  @Option(
      names = "--gossip-speedup",
      paramLabel = "N",
      hidden = true,
      defaultValue = "1",
      description = "gossip N times faster than the defaults (the testbed's short runs)")
  int gossipSpeedup;

  @Override
  public Integer call() throws Exception {
    if (gossipSpeedup < 1 || gossipSpeedup > 20) {
      throw new CliException("--gossip-speedup must be 1 to 20");
    }
    if (zone != null && (zone.isEmpty() || !io.shoal.gossip.Zone.isValid(zone))) {
      throw new CliException(
          "--zone: bad zone '"
              + zone
              + "': want 1 to "
              + io.shoal.gossip.Zone.MAX_CHARS
              + " characters of a-z, 0-9, '.', '_' and '-'");
    }
    if (logSealMillis < 1 || logSealMillis > 3_600_000) {
      throw new CliException("--log-seal-ms must be 1 to 3600000, not " + logSealMillis);
    }
    HostPort listenAt = HostPort.parse(listen);
    HostPort httpAt = HostPort.parse(httpAddress);
    List<Endpoint> seeds = new ArrayList<>();
    for (String s : join) {
      seeds.add(Endpoint.parse(s));
    }
    NodeConfig config =
        NodeConfig.defaults(data.dir)
            .withListen(listenAt.host(), listenAt.port())
            .withHttp(httpAt.host(), httpAt.port())
            .withSeeds(seeds)
            .withClusterId(Security.clusterId(clusterId, credentials))
            .withCredentials(Security.load(credentials))
            .withInsecure(insecure)
            .withAdvertise(advertise == null ? null : Endpoint.parse(advertise))
            .withFollow(follow)
            .withKeep(keep)
            .withUploadLimit(limits.uploadBytesPerSecond)
            .withDownloadLimit(limits.downloadBytesPerSecond)
            .withCompression(!noCompression)
            .withScrubRate((long) (scrubRateMebibytes * (1 << 20)))
            .withGossip(io.shoal.gossip.GossipConfig.defaults().scaledDown(gossipSpeedup))
            .toBuilder()
            .store(StoreOptions.defaults().withLockWaitMillis(STORE_LOCK_WAIT_MILLIS))
            .httpExpose(httpExpose)
            .httpNames(httpNames)
            .httpAllowOrigins(httpAllowOrigins)
            .openGateway(openGateway)
            .trustedPublishers(trustPublishers.stream().map(NodeCommand::nodeId).toList())
            .requireSha256(requireSha256)
            .zone(zone == null ? "" : zone)
            .membership(membershipMode())
            .faults(faultInjection ? Faults.linkFaultsOnly() : Faults.none())
            .logs(
                new ChangeLog.Options(
                    ChangeLog.Options.defaults().sealBytes(), Duration.ofMillis(logSealMillis)))
            .build();
    ShoalNode node = ShoalNode.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  node.close();
                  stopped.countDown();
                },
                "shoal-shutdown"));
    stopped.await();
    return 0;
  }

  private MembershipMode membershipMode() {
    boolean sized = activeView != null || passiveView != null;
    if (membership.equals("full")) {
      if (sized) {
        throw new CliException("--active-view and --passive-view need --membership views");
      }
      return MembershipMode.FULL;
    }
    if (!membership.equals("views")) {
      throw new CliException("--membership: want full or views, not '" + membership + "'");
    }
    ViewConfig d = ViewConfig.defaults();
    try {
      return MembershipMode.views(
          activeView == null ? d.activeViewSize() : activeView,
          passiveView == null ? d.passiveViewSize() : passiveView);
    } catch (IllegalArgumentException e) {
      throw new CliException("--membership views: " + e.getMessage());
    }
  }

  private static io.shoal.gossip.NodeId nodeId(String hex) {
    try {
      return io.shoal.gossip.NodeId.parse(hex.trim());
    } catch (IllegalArgumentException e) {
      throw new CliException("--trust-publisher: " + e.getMessage());
    }
  }
}
