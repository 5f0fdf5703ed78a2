package io.shoal.node;

import io.shoal.chunkstore.StoreOptions;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipConfig;
import io.shoal.node.net.HttpTls;
import io.shoal.node.security.NodeCredentials;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How to run a node.
 *
 * @param dataDir the data directory (store, catalog, node id)
 * @param listenHost peer address to bind
 * @param listenPort peer port (0: the OS chooses)
 * @param advertise the peer address to tell others, or null to derive it
 * @param httpHost HTTP API address to bind (loopback by default)
 * @param httpPort HTTP port (0: the OS chooses)
 * @param seeds peers to join through
 * @param clusterId the cluster's name when insecure; with credentials the cluster id is derived
 *     from the CA and this one is ignored
 * @param credentials the node's credentials (TLS with mutual authentication, node id from the
 *     certificate), or null to run insecure
 * @param insecure whether the node may run without credentials on a non-loopback address (it always
 *     may on loopback)
 * @param gossip gossip timers
 * @param store store tuning
 * @param follow name patterns ({@code *} and {@code ?} wildcards) whose winning version the node
 *     fetches as soon as gossip announces it
 * @param keep versions per name to keep after a fetch or publication (0 keeps all)
 * @param uploadBytesPerSecond limit of chunk bytes served per second (0: none)
 * @param downloadBytesPerSecond limit of chunk bytes received per second, node-wide (0: none)
 * @param compression whether chunks may be sent LZ4-compressed when that pays
 * @param transfer transfer bounds and timers
 * @param faults faults to inject (tests and drills)
 * @param httpTls key and certificate the HTTP API serves HTTPS with, or null for plain HTTP
 * @param httpExpose whether the HTTP API may listen beyond loopback (it then needs {@code httpTls})
 * @param httpNames more Host header values the HTTP API answers ({@code NAME} or {@code NAME:PORT})
 * @param httpAllowOrigins Origin header values allowed ({@code SCHEME://HOST[:PORT]}); none by
 *     default, which refuses every request a web page makes
 * @param openGateway whether GET and HEAD of {@code /snapshots/...} are served without the token
 * @param requireSha256 whether this node refuses to fetch, follow or serve snapshots whose ids are
 *     not sha256 (xxh128 is fast but not collision resistant against a member that crafts chunks)
 * @param trustedPublishers the publishers whose snapshots may become winners here; empty trusts
 *     every publisher with a valid credential of the cluster
 * @param scrubBytesPerSecond read rate of the background scrub of the store (0: no scrub)
 * @param zone this node's zone ({@link io.shoal.gossip.Zone}): fetches fill from peers in it first
 *     and cross zones only for chunks it does not have yet; empty for none
 * @param membership full membership (the default) or partial views, with their sizes
 * @param logs when the open records of a change log are sealed into a segment
 */
public record NodeConfig(
    Path dataDir,
    String listenHost,
    int listenPort,
    Endpoint advertise,
    String httpHost,
    int httpPort,
    List<Endpoint> seeds,
    String clusterId,
    NodeCredentials credentials,
    boolean insecure,
    GossipConfig gossip,
    StoreOptions store,
    List<String> follow,
    int keep,
    long uploadBytesPerSecond,
    long downloadBytesPerSecond,
    boolean compression,
    io.shoal.node.core.TransferConfig transfer,
    Faults faults,
    HttpTls httpTls,
    boolean httpExpose,
    List<String> httpNames,
    List<String> httpAllowOrigins,
    boolean openGateway,
    boolean requireSha256,
    List<io.shoal.gossip.NodeId> trustedPublishers,
    long scrubBytesPerSecond,
    String zone,
    MembershipMode membership,
    ChangeLog.Options logs) {

  public static final int DEFAULT_PEER_PORT = 7420;
  public static final int DEFAULT_HTTP_PORT = 7421;
  public static final String DEFAULT_CLUSTER_ID = "default";

  public NodeConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(listenHost, "listenHost");
    Objects.requireNonNull(httpHost, "httpHost");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(gossip, "gossip");
    Objects.requireNonNull(store, "store");
    seeds = List.copyOf(seeds);
    follow = List.copyOf(follow);
    Objects.requireNonNull(transfer, "transfer");
    Objects.requireNonNull(faults, "faults");
    Objects.requireNonNull(membership, "membership");
    Objects.requireNonNull(logs, "logs");
    httpNames = List.copyOf(httpNames);
    httpAllowOrigins = List.copyOf(httpAllowOrigins);
    trustedPublishers = List.copyOf(trustedPublishers);
    NodeConfigChecks.checkHttp(httpNames, httpAllowOrigins);
    NodeConfigChecks.checkRates(
        keep, uploadBytesPerSecond, downloadBytesPerSecond, scrubBytesPerSecond);
    io.shoal.gossip.Zone.check(zone);
    if (clusterId.isEmpty() || clusterId.length() > 128) {
      throw new IllegalArgumentException(
          "cluster id must be 1 to 128 characters: '" + clusterId + "'");
    }
  }

  /**
   * Defaults: peers on 0.0.0.0:7420, HTTP on 127.0.0.1:7421, no seeds, no credentials (so a node
   * started from these refuses to start until given credentials, a loopback address, or insecure).
   */
  public static NodeConfig defaults(Path dataDir) {
    return new NodeConfig(
        dataDir,
        "0.0.0.0",
        DEFAULT_PEER_PORT,
        null,
        "127.0.0.1",
        DEFAULT_HTTP_PORT,
        List.of(),
        DEFAULT_CLUSTER_ID,
        null,
        false,
        GossipConfig.defaults(),
        StoreOptions.defaults(),
        List.of(),
        10,
        0,
        0,
        true,
        io.shoal.node.core.TransferConfig.defaults(),
        Faults.none(),
        null,
        false,
        List.of(),
        List.of(),
        false,
        false,
        List.of(),
        Scrubber.DEFAULT_RATE_BYTES_PER_SECOND,
        io.shoal.gossip.Zone.NONE,
        MembershipMode.FULL,
        ChangeLog.Options.defaults());
  }

  /** Loopback on OS-chosen ports, for tests and local swarms. */
  public static NodeConfig loopback(Path dataDir) {
    return defaults(dataDir).withListen("127.0.0.1", 0).withHttp("127.0.0.1", 0);
  }

  public NodeConfig withListen(String host, int port) {
    return toBuilder().listenHost(host).listenPort(port).build();
  }

  public NodeConfig withAdvertise(Endpoint a) {
    return toBuilder().advertise(a).build();
  }

  public NodeConfig withHttp(String host, int port) {
    return toBuilder().httpHost(host).httpPort(port).build();
  }

  public NodeConfig withSeeds(List<Endpoint> s) {
    return toBuilder().seeds(s).build();
  }

  public NodeConfig withClusterId(String id) {
    return toBuilder().clusterId(id).build();
  }

  /** Runs secured with {@code c}, or insecure when null. */
  public NodeConfig withCredentials(NodeCredentials c) {
    return toBuilder().credentials(c).build();
  }

  /** Allows running without credentials on a non-loopback address. */
  public NodeConfig withInsecure(boolean allowed) {
    return toBuilder().insecure(allowed).build();
  }

  /** Whether peers must authenticate with a certificate of the cluster's CA. */
  public boolean isSecure() {
    return credentials != null;
  }

  public NodeConfig withGossip(GossipConfig g) {
    return toBuilder().gossip(g).build();
  }

  public NodeConfig withFollow(List<String> patterns) {
    return toBuilder().follow(patterns).build();
  }

  public NodeConfig withKeep(int k) {
    return toBuilder().keep(k).build();
  }

  public NodeConfig withUploadLimit(long bytesPerSecond) {
    return toBuilder().uploadBytesPerSecond(bytesPerSecond).build();
  }

  public NodeConfig withDownloadLimit(long bytesPerSecond) {
    return toBuilder().downloadBytesPerSecond(bytesPerSecond).build();
  }

  public NodeConfig withCompression(boolean on) {
    return toBuilder().compression(on).build();
  }

  public NodeConfig withTransfer(io.shoal.node.core.TransferConfig t) {
    return toBuilder().transfer(t).build();
  }

  /** Sets the background scrub's read rate (0 disables it). */
  public NodeConfig withScrubRate(long bytesPerSecond) {
    return toBuilder().scrubBytesPerSecond(bytesPerSecond).build();
  }

  /** In zone {@code name} (empty for none). */
  public NodeConfig withZone(String name) {
    return toBuilder().zone(name).build();
  }

  /** Runs full membership or partial views. */
  public NodeConfig withMembership(MembershipMode mode) {
    return toBuilder().membership(mode).build();
  }

  public NodeConfig withFaults(Faults f) {
    return toBuilder().faults(f).build();
  }

  /** A builder that starts from this config: one place to add a field. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.dataDir = dataDir;
    b.listenHost = listenHost;
    b.listenPort = listenPort;
    b.advertise = advertise;
    b.httpHost = httpHost;
    b.httpPort = httpPort;
    b.seeds = seeds;
    b.clusterId = clusterId;
    b.credentials = credentials;
    b.insecure = insecure;
    b.gossip = gossip;
    b.store = store;
    b.follow = follow;
    b.keep = keep;
    b.uploadBytesPerSecond = uploadBytesPerSecond;
    b.downloadBytesPerSecond = downloadBytesPerSecond;
    b.compression = compression;
    b.transfer = transfer;
    b.faults = faults;
    b.httpTls = httpTls;
    b.httpExpose = httpExpose;
    b.httpNames = httpNames;
    b.httpAllowOrigins = httpAllowOrigins;
    b.openGateway = openGateway;
    b.requireSha256 = requireSha256;
    b.trustedPublishers = trustedPublishers;
    b.scrubBytesPerSecond = scrubBytesPerSecond;
    b.zone = zone;
    b.membership = membership;
    b.logs = logs;
    return b;
  }

  /** Changes some fields of a config; {@link #build} checks the whole. */
  public static final class Builder {
    private Path dataDir;
    private String listenHost;
    private int listenPort;
    private Endpoint advertise;
    private String httpHost;
    private int httpPort;
    private List<Endpoint> seeds;
    private String clusterId;
    private NodeCredentials credentials;
    private boolean insecure;
    private GossipConfig gossip;
    private StoreOptions store;
    private List<String> follow;
    private int keep;
    private long uploadBytesPerSecond;
    private long downloadBytesPerSecond;
    private boolean compression;
    private io.shoal.node.core.TransferConfig transfer;
    private Faults faults;
    private HttpTls httpTls;
    private boolean httpExpose;
    private List<String> httpNames;
    private long scrubBytesPerSecond;
    private String zone;
    private MembershipMode membership;
    private ChangeLog.Options logs;
    private List<String> httpAllowOrigins;
    private boolean openGateway;
    private boolean requireSha256;
    private List<io.shoal.gossip.NodeId> trustedPublishers;

    private Builder() {}

    public Builder dataDir(Path value) {
      this.dataDir = value;
      return this;
    }

    public Builder listenHost(String value) {
      this.listenHost = value;
      return this;
    }

    public Builder listenPort(int value) {
      this.listenPort = value;
      return this;
    }

    public Builder advertise(Endpoint value) {
      this.advertise = value;
      return this;
    }

    public Builder httpHost(String value) {
      this.httpHost = value;
      return this;
    }

    public Builder httpPort(int value) {
      this.httpPort = value;
      return this;
    }

    public Builder seeds(List<Endpoint> value) {
      this.seeds = value;
      return this;
    }

    public Builder clusterId(String value) {
      this.clusterId = value;
      return this;
    }

    public Builder credentials(NodeCredentials value) {
      this.credentials = value;
      return this;
    }

    public Builder insecure(boolean value) {
      this.insecure = value;
      return this;
    }

    public Builder gossip(GossipConfig value) {
      this.gossip = value;
      return this;
    }

    public Builder store(StoreOptions value) {
      this.store = value;
      return this;
    }

    public Builder follow(List<String> value) {
      this.follow = value;
      return this;
    }

    public Builder keep(int value) {
      this.keep = value;
      return this;
    }

    public Builder uploadBytesPerSecond(long value) {
      this.uploadBytesPerSecond = value;
      return this;
    }

    public Builder downloadBytesPerSecond(long value) {
      this.downloadBytesPerSecond = value;
      return this;
    }

    public Builder compression(boolean value) {
      this.compression = value;
      return this;
    }

    public Builder transfer(io.shoal.node.core.TransferConfig value) {
      this.transfer = value;
      return this;
    }

    public Builder faults(Faults value) {
      this.faults = value;
      return this;
    }

    public Builder httpTls(HttpTls value) {
      this.httpTls = value;
      return this;
    }

    public Builder httpExpose(boolean value) {
      this.httpExpose = value;
      return this;
    }

    public Builder httpNames(List<String> value) {
      this.httpNames = value;
      return this;
    }

    public Builder httpAllowOrigins(List<String> value) {
      this.httpAllowOrigins = value;
      return this;
    }

    public Builder requireSha256(boolean value) {
      this.requireSha256 = value;
      return this;
    }

    public Builder trustedPublishers(List<io.shoal.gossip.NodeId> value) {
      this.trustedPublishers = value;
      return this;
    }

    public Builder openGateway(boolean value) {
      this.openGateway = value;
      return this;
    }

    public Builder zone(String value) {
      this.zone = value;
      return this;
    }

    public Builder logs(ChangeLog.Options value) {
      this.logs = value;
      return this;
    }

    public Builder membership(MembershipMode value) {
      this.membership = value;
      return this;
    }

    public Builder scrubBytesPerSecond(long value) {
      this.scrubBytesPerSecond = value;
      return this;
    }

    public NodeConfig build() {
      return new NodeConfig(
          dataDir,
          listenHost,
          listenPort,
          advertise,
          httpHost,
          httpPort,
          seeds,
          clusterId,
          credentials,
          insecure,
          gossip,
          store,
          follow,
          keep,
          uploadBytesPerSecond,
          downloadBytesPerSecond,
          compression,
          transfer,
          faults,
          httpTls,
          httpExpose,
          httpNames,
          httpAllowOrigins,
          openGateway,
          requireSha256,
          trustedPublishers,
          scrubBytesPerSecond,
          zone,
          membership,
          logs);
    }
  }
}
