package io.shoal.node;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is alive where, and who holds which snapshot, as gossip last said: a thread-safe view the
 * transfer layer reads without waiting on the gossip loop. Written from gossip events.
 */
final class SwarmDirectory {
  /**
   * A member holding a snapshot.
   *
   * @param id the member
   * @param address where it listens
   * @param complete whether it holds every chunk
   */
  record Holder(NodeId id, Endpoint address, boolean complete) {}

  private final NodeId self;
  private final Map<NodeId, Endpoint> alive = new ConcurrentHashMap<>();
  private final Map<NodeId, Map<String, CatalogValue>> catalogs = new ConcurrentHashMap<>();

  SwarmDirectory(NodeId self) {
    this.self = self;
  }

  void memberUp(NodeId id, Endpoint address) {
    alive.put(id, address);
  }

  void memberGone(NodeId id) {
    alive.remove(id);
  }

  void catalogChanged(NodeId owner, String name, CatalogValue value) {
    Map<String, CatalogValue> c = catalogs.computeIfAbsent(owner, k -> new ConcurrentHashMap<>());
    if (value.versions().isEmpty()) {
      c.remove(name);
    } else {
      c.put(name, value);
    }
  }

  Endpoint address(NodeId id) {
    return alive.get(id);
  }

  /** Alive members other than this node holding {@code root} (complete or partial), in id order. */
  List<Holder> holders(ChunkId root) {
    List<Holder> out = new ArrayList<>();
    for (Map.Entry<NodeId, Map<String, CatalogValue>> owner : catalogs.entrySet()) {
      Endpoint at = alive.get(owner.getKey());
      if (at == null || owner.getKey().equals(self)) {
        continue;
      }
      for (CatalogValue v : owner.getValue().values()) {
        for (HeldVersion h : v.versions()) {
          if (h.root().equals(root)) {
            out.add(new Holder(owner.getKey(), at, h.complete()));
          }
        }
      }
    }
    out.sort((a, b) -> a.id().compareTo(b.id()));
    return out;
  }
}
