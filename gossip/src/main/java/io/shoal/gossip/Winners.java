package io.shoal.gossip;

import io.shoal.chunkstore.ChunkId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which version of each snapshot wins: the highest version; among equal versions (published on both
 * sides of a partition) the greater root id. Every node that holds the same catalogs computes the
 * same winners.
 */
public final class Winners {
  /**
   * The winning version of a name.
   *
   * @param name snapshot name
   * @param version winning version
   * @param root its root id
   * @param sizeBytes its size
   * @param completeHolders owners holding it complete, in id order
   * @param partialHolders owners holding part of it, in id order
   */
  public record Winner(
      String name,
      long version,
      ChunkId root,
      long sizeBytes,
      List<NodeId> completeHolders,
      List<NodeId> partialHolders) {}

  private Winners() {}

  /** True when (version, root) beats (otherVersion, otherRoot). */
  public static boolean beats(long version, ChunkId root, long otherVersion, ChunkId otherRoot) {
    return version != otherVersion ? version > otherVersion : root.compareTo(otherRoot) > 0;
  }

  public static SortedMap<String, Winner> of(
      Map<NodeId, ? extends Map<String, CatalogValue>> catalogs) {
    SortedMap<String, HeldVersion> best = new TreeMap<>();
    for (Map<String, CatalogValue> catalog : catalogs.values()) {
      for (Map.Entry<String, CatalogValue> e : catalog.entrySet()) {
        for (HeldVersion v : e.getValue().versions()) {
          HeldVersion b = best.get(e.getKey());
          if (b == null || beats(v.version(), v.root(), b.version(), b.root())) {
            best.put(e.getKey(), v);
          }
        }
      }
    }
    SortedMap<String, Winner> out = new TreeMap<>();
    for (Map.Entry<String, HeldVersion> e : best.entrySet()) {
      List<NodeId> complete = new ArrayList<>();
      List<NodeId> partial = new ArrayList<>();
      for (Map.Entry<NodeId, ? extends Map<String, CatalogValue>> c :
          new TreeMap<>(catalogs).entrySet()) {
        CatalogValue value = c.getValue().get(e.getKey());
        if (value == null) {
          continue;
        }
        for (HeldVersion v : value.versions()) {
          if (v.version() == e.getValue().version() && v.root().equals(e.getValue().root())) {
            (v.complete() ? complete : partial).add(c.getKey());
          }
        }
      }
      HeldVersion w = e.getValue();
      out.put(
          e.getKey(),
          new Winner(e.getKey(), w.version(), w.root(), w.sizeBytes(), complete, partial));
    }
    return out;
  }
}
