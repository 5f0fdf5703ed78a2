package io.shoal.gossip;

import io.shoal.chunkstore.SnapshotName;
import java.util.Objects;

/**
 * One catalog entry of an owner's map: the owner's value for a snapshot name.
 *
 * @param owner the node whose catalog this is
 * @param generation the owner's generation
 * @param version the owner's version counter at this change
 * @param name snapshot name
 * @param value what the owner holds of it
 * @param signature the owner's signature over {@link ClaimPayloads#catalogEntry}
 */
public record CatalogDelta(
    NodeId owner,
    long generation,
    long version,
    String name,
    CatalogValue value,
    Signature signature)
    implements OwnerEntry {

  public CatalogDelta {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(signature, "signature");
    SnapshotName.check(name);
    if (generation < 0 || version < 1) {
      throw new IllegalArgumentException("bad stamp " + generation + "/" + version);
    }
  }

  /** The owner and name: a newer value for both supersedes this one. */
  record Key(NodeId owner, String name) {}

  @Override
  public Object key() {
    return new Key(owner, name);
  }

  @Override
  public int estimatedBytes() {
    return 40 + name.length() + value.estimatedBytes() + signature.length();
  }
}
