package io.shoal.gossip;

import java.util.List;

/**
 * What one node holds of one snapshot name: the versions, oldest first. An empty list says the node
 * no longer holds the name (a tombstone, so the removal spreads like any change).
 *
 * @param versions held versions, ascending, at most {@link #MAX_VERSIONS}
 */
public record CatalogValue(List<HeldVersion> versions) {
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

  public static CatalogValue removed() {
    return new CatalogValue(List.of());
  }

  int estimatedBytes() {
    int bytes = 8;
    for (HeldVersion v : versions) {
      bytes += v.estimatedBytes();
    }
    return bytes;
  }
}
