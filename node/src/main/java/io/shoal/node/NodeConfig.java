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
    StoreOptions store) {

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
        StoreOptions.defaults());
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
        store);
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
        store);
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
        store);
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
        store);
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
        store);
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
        store);
  }
}
