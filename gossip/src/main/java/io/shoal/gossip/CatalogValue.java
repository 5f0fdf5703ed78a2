package io.shoal.gossip;

import java.util.List;

/**
 * What one node holds of one snapshot name: the versions, oldest first. An empty list says the node
 * no longer holds the name (a tombstone, so the removal spreads like any change).
 *
 * @param versions held versions, ascending, at most {@link #MAX_VERSIONS}
 * @param pin the newest pin or unpin of the name this node knows and carries, or null: every node
 *     carries the claim it honours, so the claim outlives its pinner's presence
 */
public record CatalogValue(List<HeldVersion> versions, Pin pin) {
  /** Most versions of one name a node announces; retention keeps far fewer. */
  public static final int MAX_VERSIONS = 64;

  public CatalogValue {
    versions = List.copyOf(versions);
    if (versions.size() > MAX_VERSIONS) {
      throw new IllegalArgumentException(versions.size() + " versions exceed " + MAX_VERSIONS);
    }
    for (int i = 1; i < versions.size(); i++) {
      if (versions.get(i - 1).version() >= versions.get(i).version()) {
        throw new IllegalArgumentException("versions must ascend: " + versions);
      }
    }
  }

  /** Held versions without a pin. */
  public CatalogValue(List<HeldVersion> versions) {
    this(versions, null);
  }

  public static CatalogValue removed() {
    return new CatalogValue(List.of());
  }

  /** The same versions, carrying {@code claim}. */
  public CatalogValue withPin(Pin claim) {
    return new CatalogValue(versions, claim);
  }

  /** Whether this value says something: versions held, or a pin carried. */
  boolean isEmpty() {
    return versions.isEmpty() && pin == null;
  }

  int estimatedBytes() {
    int bytes = 8 + (pin == null ? 0 : pin.estimatedBytes());
    for (HeldVersion v : versions) {
      bytes += v.estimatedBytes();
    }
    return bytes;
  }
}
