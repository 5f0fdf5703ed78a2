package io.shoal.node;

import io.shoal.chunkstore.StoreOptions;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipConfig;
import io.shoal.node.net.ClusterKey;
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
 * @param clusterId the cluster's name; peers of other clusters are refused
 * @param clusterKey the shared key, or the insecure key
 * @param gossip gossip timers
 * @param store store tuning
 * @param follow name patterns ({@code *} and {@code ?} wildcards) whose winning version the node
 *     fetches as soon as gossip announces it
 * @param keep versions per name to keep after a fetch or publication (0 keeps all)
 * @param uploadBytesPerSecond limit of chunk bytes served per second (0: none)
 * @param compression whether chunks may be sent LZ4-compressed when that pays
 * @param transfer transfer bounds and timers
 * @param faults faults to inject (tests and drills)
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
    ClusterKey clusterKey,
    GossipConfig gossip,
    StoreOptions store,
    List<String> follow,
    int keep,
    long uploadBytesPerSecond,
    boolean compression,
    io.shoal.node.core.TransferConfig transfer,
    Faults faults) {

  public static final int DEFAULT_PEER_PORT = 7420;
  public static final int DEFAULT_HTTP_PORT = 7421;
  public static final String DEFAULT_CLUSTER_ID = "default";

  public NodeConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(listenHost, "listenHost");
    Objects.requireNonNull(httpHost, "httpHost");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(clusterKey, "clusterKey");
    Objects.requireNonNull(gossip, "gossip");
    Objects.requireNonNull(store, "store");
    seeds = List.copyOf(seeds);
    follow = List.copyOf(follow);
    Objects.requireNonNull(transfer, "transfer");
    Objects.requireNonNull(faults, "faults");
    if (keep < 0 || uploadBytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "keep " + keep + " / upload limit " + uploadBytesPerSecond);
    }
    if (clusterId.isEmpty() || clusterId.length() > 128) {
      throw new IllegalArgumentException(
          "cluster id must be 1 to 128 characters: '" + clusterId + "'");
    }
  }

  /** Defaults: peers on 0.0.0.0:7420, HTTP on 127.0.0.1:7421, no seeds, insecure. */
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
        ClusterKey.insecure(),
        GossipConfig.defaults(),
        StoreOptions.defaults(),
        List.of(),
        10,
        0,
        true,
        io.shoal.node.core.TransferConfig.defaults(),
        Faults.none());
  }

  /** Loopback on OS-chosen ports, for tests and local swarms. */
  public static NodeConfig loopback(Path dataDir) {
    return defaults(dataDir).withListen("127.0.0.1", 0).withHttp("127.0.0.1", 0);
  }

  public NodeConfig withListen(String host, int port) {
    return new NodeConfig(
        dataDir,
        host,
        port,
        advertise,
        httpHost,
        httpPort,
        seeds,
        clusterId,
        clusterKey,
        gossip,
        store,
        follow,
        keep,
        uploadBytesPerSecond,
        compression,
        transfer,
        faults);
  }

  public NodeConfig withAdvertise(Endpoint a) {
    return new NodeConfig(
        dataDir,
        listenHost,
        listenPort,
        a,
        httpHost,
        httpPort,
        seeds,
        clusterId,
        clusterKey,
        gossip,
        store,
        follow,
        keep,
        uploadBytesPerSecond,
        compression,
        transfer,
        faults);
  }

  public NodeConfig withHttp(String host, int port) {
    return new NodeConfig(
        dataDir,
        listenHost,
        listenPort,
        advertise,
        host,
        port,
        seeds,
        clusterId,
        clusterKey,
        gossip,
        store,
        follow,
        keep,
        uploadBytesPerSecond,
        compression,
        transfer,
        faults);
  }

  public NodeConfig withSeeds(List<Endpoint> s) {
    return new NodeConfig(
        dataDir,
        listenHost,
        listenPort,
        advertise,
        httpHost,
        httpPort,
        s,
        clusterId,
        clusterKey,
        gossip,
        store,
        follow,
        keep,
        uploadBytesPerSecond,
        compression,
        transfer,
        faults);
  }

  public NodeConfig withCluster(String id, ClusterKey key) {
    return new NodeConfig(
        dataDir,
        listenHost,
        listenPort,
        advertise,
        httpHost,
        httpPort,
        seeds,
        id,
        key,
        gossip,
        store,
        follow,
        keep,
        uploadBytesPerSecond,
        compression,
        transfer,
        faults);
  }

  public NodeConfig withGossip(GossipConfig g) {
    return new NodeConfig(
        dataDir,
        listenHost,
        listenPort,
        advertise,
        httpHost,
        httpPort,
        seeds,
        clusterId,
        clusterKey,
        g,
        store,
        follow,
        keep,
        uploadBytesPerSecond,
        compression,
        transfer,
        faults);
  }

  public NodeConfig withFollow(List<String> patterns) {
    return new NodeConfig(
        dataDir,
        listenHost,
        listenPort,
        advertise,
        httpHost,
        httpPort,
        seeds,
        clusterId,
        clusterKey,
        gossip,
        store,
        patterns,
        keep,
        uploadBytesPerSecond,
        compression,
        transfer,
        faults);
  }

  public NodeConfig withKeep(int k) {
    return new NodeConfig(
        dataDir,
        listenHost,
        listenPort,
        advertise,
        httpHost,
        httpPort,
        seeds,
        clusterId,
        clusterKey,
        gossip,
        store,
        follow,
        k,
        uploadBytesPerSecond,
        compression,
        transfer,
        faults);
  }

  public NodeConfig withUploadLimit(long bytesPerSecond) {
    return new NodeConfig(
        dataDir,
        listenHost,
        listenPort,
        advertise,
        httpHost,
        httpPort,
        seeds,
        clusterId,
        clusterKey,
        gossip,
        store,
        follow,
        keep,
        bytesPerSecond,
        compression,
        transfer,
        faults);
  }

  public NodeConfig withCompression(boolean on) {
    return new NodeConfig(
        dataDir,
        listenHost,
        listenPort,
        advertise,
        httpHost,
        httpPort,
        seeds,
        clusterId,
        clusterKey,
        gossip,
        store,
        follow,
        keep,
        uploadBytesPerSecond,
        on,
        transfer,
        faults);
  }

  public NodeConfig withTransfer(io.shoal.node.core.TransferConfig t) {
    return new NodeConfig(
        dataDir,
        listenHost,
        listenPort,
        advertise,
        httpHost,
        httpPort,
        seeds,
        clusterId,
        clusterKey,
        gossip,
        store,
        follow,
        keep,
        uploadBytesPerSecond,
        compression,
        t,
        faults);
  }

  public NodeConfig withFaults(Faults f) {
    return new NodeConfig(
        dataDir,
        listenHost,
        listenPort,
        advertise,
        httpHost,
        httpPort,
        seeds,
        clusterId,
        clusterKey,
        gossip,
        store,
        follow,
        keep,
        uploadBytesPerSecond,
        compression,
        transfer,
        f);
  }
}
