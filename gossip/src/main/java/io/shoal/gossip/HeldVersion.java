package io.shoal.gossip;

import io.shoal.chunkstore.ChunkId;
import java.util.Objects;

/**
 * One version of a snapshot that a node holds, with the publisher's signature that makes it count:
 * the publisher signed {@code (name, version, root)} (see {@link ClaimPayloads#publication}), so no
 * holder can announce a version in another publisher's name.
 *
 * @param version the version
 * @param root its root id
 * @param complete whether the node holds every chunk
 * @param sizeBytes logical size
 * @param publisher the node that published it
 * @param publication the publisher's signature; empty on nodes that do not sign
 */
public record HeldVersion(
    long version,
    ChunkId root,
    boolean complete,
    long sizeBytes,
    NodeId publisher,
    Signature publication) {
  public HeldVersion {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(publisher, "publisher");
    Objects.requireNonNull(publication, "publication");
    if (version < 1 || sizeBytes < 0) {
      throw new IllegalArgumentException(
          "bad held version " + version + " of " + sizeBytes + " bytes");
    }
  }

  /** The same version, held complete or not. */
  public HeldVersion withComplete(boolean isComplete) {
    return new HeldVersion(version, root, isComplete, sizeBytes, publisher, publication);
  }

  /** Whether this is the same publication as {@code o}: version, root, publisher, signature. */
  boolean samePublication(HeldVersion o) {
    return version == o.version
        && root.equals(o.root)
        && publisher.equals(o.publisher)
        && publication.equals(o.publication);
  }

  int estimatedBytes() {
    return 40 + 16 + 1 + publication.length();
  }
}
