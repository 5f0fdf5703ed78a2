package io.shoal.gossip;

import io.shoal.chunkstore.SnapshotName;
import java.util.Objects;

/**
 * One entry of an owner's Scuttlebutt map: the owner's value for a snapshot name, stamped with the
 * owner's generation (which rises at every restart) and a version (which rises at every change the
 * owner makes).
 *
 * @param owner the node whose catalog this is
 * @param generation the owner's generation
 * @param version the owner's version counter at this change
 * @param name snapshot name
 * @param value what the owner holds of it
 */
public record CatalogDelta(
    NodeId owner, long generation, long version, String name, CatalogValue value)
    implements GossipUpdate {

  public CatalogDelta {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(value, "value");
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
    return 40 + name.length() + value.estimatedBytes();
  }
}
