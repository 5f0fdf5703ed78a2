package io.shoal.gossip;

import io.shoal.chunkstore.ChunkId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which version of each snapshot wins: the highest version; among equal versions (published on both
 * sides of a partition) the greater root id. A pinned name's winner is instead its pinned version
 * (exactly its root), and it has none while no member holds that version: the pin waits, and
 * followers keep what they hold. Every node that holds the same catalogs and claims computes the
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

  /** Whether {@code v} is the version {@code pin} names: its number and exactly its root. */
  public static boolean isPinned(HeldVersion v, Pin pin) {
    return !pin.isUnpin() && v.version() == pin.version() && v.root().equals(pin.root());
  }

  private static boolean beats(HeldVersion v, HeldVersion other) {
    return beats(v.version(), v.root(), other.version(), other.root());
  }

  /** True when (version, root) beats (otherVersion, otherRoot). */
  public static boolean beats(long version, ChunkId root, long otherVersion, ChunkId otherRoot) {
    return version != otherVersion ? version > otherVersion : root.compareTo(otherRoot) > 0;
  }

  /** The highest version of every name, pins aside. */
  public static SortedMap<String, Winner> of(
      Map<NodeId, ? extends Map<String, CatalogValue>> catalogs) {
    return of(catalogs, Map.of());
  }

  /**
   * The winner of every name, honouring {@code pins}: the pin of a name, by name (unpins are not
   * pins, and are left out by the caller).
   */
  public static SortedMap<String, Winner> of(
      Map<NodeId, ? extends Map<String, CatalogValue>> catalogs, Map<String, Pin> pins) {
    SortedMap<String, HeldVersion> best = new TreeMap<>();
    for (Map<String, CatalogValue> catalog : catalogs.values()) {
      for (Map.Entry<String, CatalogValue> e : catalog.entrySet()) {
        Pin pin = pins.get(e.getKey());
        for (HeldVersion v : e.getValue().versions()) {
          HeldVersion b = best.get(e.getKey());
          if (pin != null ? isPinned(v, pin) : b == null || beats(v, b)) {
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
