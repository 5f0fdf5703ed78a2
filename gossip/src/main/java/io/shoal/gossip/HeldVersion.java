package io.shoal.gossip;

import io.shoal.chunkstore.ChunkId;
import java.util.Objects;

/**
 * One version of a snapshot that a node holds.
 *
 * @param version the version
 * @param root its root id
 * @param complete whether the node holds every chunk
 * @param sizeBytes logical size
 */
public record HeldVersion(long version, ChunkId root, boolean complete, long sizeBytes) {
  public HeldVersion {
    Objects.requireNonNull(root, "root");
    if (version < 1 || sizeBytes < 0) {
      throw new IllegalArgumentException(
          "bad held version " + version + " of " + sizeBytes + " bytes");
    }
  }
}
