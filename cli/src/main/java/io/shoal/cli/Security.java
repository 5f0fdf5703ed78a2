package io.shoal.cli;

import io.shoal.node.NodeConfig;
import io.shoal.node.security.NodeCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/** What {@code --credentials} and {@code --cluster-id} mean to the commands that start a node. */
final class Security {
  private Security() {}

  /** The credentials in {@code dir}, checked now; null when no directory was given. */
  static NodeCredentials load(Path dir) throws IOException {
    return dir == null ? null : NodeCredentials.load(dir, Instant.now());
  }

  /** The cluster id of an insecure node; refused beside credentials, which name their cluster. */
  static String clusterId(String given, Path credentials) {
    if (given != null && credentials != null) {
      throw new CliException(
          "--cluster-id applies to insecure nodes only; with --credentials the cluster id is"
              + " derived from the CA");
    }
    return given != null ? given : NodeConfig.DEFAULT_CLUSTER_ID;
  }
}
