package io.shoal.node;

import io.shoal.chunkstore.ChunkStore;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.node.net.Addresses;
import io.shoal.node.net.AllowedHosts;
import io.shoal.node.net.PeerTransport;
import io.shoal.node.security.NodeCredentials;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lines a node logs once it is up (where it listens, and how its peers authenticate) and when
 * it stops.
 */
final class StartupLog {
  private static final Logger log = LoggerFactory.getLogger(ShoalNode.class);

  private StartupLog() {}

  static void up(
      NodeConfig config,
      NodeId nodeId,
      Endpoint peerAddress,
      InetSocketAddress httpAddress,
      String clusterId,
      PeerTransport transport) {
    NodeCredentials credentials = config.credentials();
    log.info(
        "node {} up: peers at {}, HTTP at {}://{}, data in {}, cluster '{}'",
        nodeId.shortHex(),
        peerAddress,
        NodeRoutes.scheme(config),
        AllowedHosts.authority(httpAddress.getHostString(), httpAddress.getPort()),
        config.dataDir(),
        clusterId);
    if (config.openGateway()) {
      log.info("the snapshot gateway /snapshots/ is open without the token (--open-gateway)");
    }
    if (credentials != null) {
      log.info(
          "peers authenticate with TLS 1.3 ({} provider) and certificates of cluster {}",
          transport.tlsProvider(),
          clusterId);
    } else if (Addresses.isLoopback(config.listenHost())) {
      log.info("running insecure on loopback: no TLS, peers are not authenticated");
    } else {
      log.warn(
          "running INSECURE (--insecure): no TLS, and any process that can reach {} can join;"
              + " pass --credentials DIR",
          peerAddress);
    }
  }

  /**
   * Closes the store last; after a graceful stop ({@code stoppedGracefully} not null) also removes
   * node.json, so that the CLI no longer finds the node, and says the node stopped.
   */
  static void stopped(ChunkStore store, Path dataDir, NodeId stoppedGracefully) {
    try {
      if (stoppedGracefully != null) {
        DataDirFiles.removeNodeInfo(dataDir);
      }
      store.close();
    } catch (IOException e) {
      log.warn("closing the store failed: {}", e.toString());
    }
    if (stoppedGracefully != null) {
      log.info("node {} stopped", stoppedGracefully.shortHex());
    }
  }
}
