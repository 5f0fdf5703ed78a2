package io.shoal.gossip;

import java.util.Objects;

/**
 * How much of one owner's map a node has: Scuttlebutt's digest entry.
 *
 * @param owner the owner
 * @param generation the owner's generation the node knows
 * @param maxVersion every change of that generation up to this version is known
 */
public record OwnerDigest(NodeId owner, long generation, long maxVersion) {
  public OwnerDigest {
    Objects.requireNonNull(owner, "owner");
    if (generation < 0 || maxVersion < 0) {
      throw new IllegalArgumentException("bad digest " + generation + "/" + maxVersion);
    }
  }
}
