package io.shoal.node;

import io.shoal.chunkstore.NodeIdentity;
import io.shoal.gossip.NodeId;
import io.shoal.node.net.Addresses;
import io.shoal.node.security.CredentialException;
import io.shoal.node.security.NodeCredentials;
import java.io.IOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's id, decided before anything listens: derived from its certificate when it has
 * credentials (refusing an expired one; the id kept in the data directory follows it), else the one
 * kept in the data directory, and then only on loopback unless {@code --insecure}.
 */
final class LocalIdentity {
  private static final Logger log = LoggerFactory.getLogger(LocalIdentity.class);

  private LocalIdentity() {}

  /**
   * @throws IllegalArgumentException when asked to listen beyond loopback without credentials
   * @throws CredentialException when this node's certificate expired
   */
  static NodeId resolve(NodeConfig config) throws IOException {
    NodeCredentials credentials = config.credentials();
    if (credentials == null) {
      if (!config.insecure() && !Addresses.isLoopback(config.listenHost())) {
        throw new IllegalArgumentException(
            "refusing to listen on "
                + config.listenHost()
                + " without credentials: pass --credentials DIR (see 'shoal cluster issue'), or"
                + " --insecure to let anyone who reaches that address join");
      }
      return NodeId.parse(NodeIdentity.loadOrCreate(config.dataDir()));
    }
    Instant now = Instant.now();
    if (!now.isBefore(credentials.notAfter())) {
      throw new CredentialException(
          "this node's certificate in "
              + credentials.dir()
              + " expired on "
              + credentials.notAfter()
              + "; renew it with 'shoal cluster issue CA_DIR --out "
              + credentials.dir()
              + "'");
    }
    credentials.warnings().forEach(w -> log.warn("{}", w));
    CredentialWatcher.warnIfExpiring(credentials, now);
    NodeId id = credentials.nodeId();
    String replaced = NodeIdentity.replace(config.dataDir(), id.toHex());
    if (replaced != null) {
      log.info(
          "node id of {} is now {}, derived from the certificate (it was {})",
          config.dataDir(),
          id.toHex(),
          replaced);
    }
    return id;
  }
}
