package io.shoal.node.core.membership;

import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of multi-part announcements that arrived, checked, until all parts of one are here:
 * Plumtree delivers each part on its own and in no promised order. Bounded by {@link
 * #MAX_ASSEMBLING} announcements, oldest out (counted by the caller). Single-threaded.
 */
final class PartAssembly {
  /** Most announcements waiting for their other parts. */
  static final int MAX_ASSEMBLING = 1024;

  private record Key(NodeId owner, String name, long sequence) {}

  private final Map<Key, CatalogPayload.Part[]> pending = new LinkedHashMap<>();
  private long dropped;

  /** Every part of the announcement, in order, once {@code p} completes it; else null. */
  List<CatalogPayload.Part> add(CatalogPayload.Part p) {
    if (p.count() == 1) {
      return List.of(p);
    }
    Key key = new Key(p.owner(), p.name(), p.sequence());
    CatalogPayload.Part[] parts = pending.get(key);
    if (parts == null || parts.length != p.count()) {
      if (pending.size() >= MAX_ASSEMBLING && parts == null) {
        Key oldest = pending.keySet().iterator().next();
        pending.remove(oldest);
        dropped++;
      }
      parts = new CatalogPayload.Part[p.count()];
      pending.put(key, parts);
    }
    parts[p.index()] = p;
    for (CatalogPayload.Part part : parts) {
      if (part == null) {
        return null;
      }
    }
    pending.remove(key);
    return new ArrayList<>(List.of(parts));
  }

  /** How many announcements were dropped incomplete since the last call. */
  long pollDropped() {
    long d = dropped;
    dropped = 0;
    return d;
  }
}
