package io.shoal.node.core.membership;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Zone;
import io.shoal.node.core.Holders;
import io.shoal.node.core.PeerChoice;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Who is alive where, and who holds which snapshot, as gossip last said. Written from gossip events
 * on one thread (the writer: {@link Membership}'s); the live members and the holders of a root,
 * which the transfer layer reads, are safe to read from any thread without waiting on the writer.
 *
 * <p>Holders are indexed by root, so reading the holders of one snapshot costs its holders, not the
 * whole swarm's catalogs.
 */
public final class SwarmDirectory implements Holders {
  /**
   * A member holding a snapshot.
   *
   * @param id the member
   * @param address where it listens
   * @param complete whether it holds every chunk
   */
  public record Holder(NodeId id, Endpoint address, boolean complete) {}

  private final NodeId self;
  private final Map<NodeId, Endpoint> alive = new ConcurrentHashMap<>();

  /** The zone of each member that announced one, up or down; forgotten with the member. */
  private final Map<NodeId, String> zones = new ConcurrentHashMap<>();

  /** Each owner's catalog but this node's; the writer's alone. */
  private final Map<NodeId, Map<String, CatalogValue>> catalogs = new HashMap<>();

  /** Per root, its holders (complete or not) in id order; readable from any thread. */
  private final Map<ChunkId, ConcurrentSkipListMap<NodeId, Boolean>> byRoot =
      new ConcurrentHashMap<>();

  /** Per root, its partial holders in the order they appeared; the writer's alone. */
  private final Map<ChunkId, List<NodeId>> arrivals = new HashMap<>();

  public SwarmDirectory(NodeId self) {
    this.self = self;
  }

  public void memberUp(NodeId id, Endpoint address) {
    memberUp(id, address, Zone.NONE);
  }

  /** A member is up at {@code address} in {@code zone} (empty for none). */
  public void memberUp(NodeId id, Endpoint address, String zone) {
    alive.put(id, address);
    if (zone.isEmpty()) {
      zones.remove(id);
    } else {
      zones.put(id, zone);
    }
  }

  /** Marks a member gone; returns whether it was up. */
  public boolean memberGone(NodeId id) {
    return alive.remove(id) != null;
  }

  /**
   * The core forgot a member (its dead retention ran out, or its credential is refused): it is
   * gone, and so is its catalog, which gossip will bring again in full if it comes back. Returns
   * whether it was up.
   */
  public boolean memberForgotten(NodeId id) {
    boolean wasUp = memberGone(id);
    zones.remove(id);
    Map<String, CatalogValue> c = catalogs.remove(id);
    if (c != null) {
      Set<ChunkId> roots = new HashSet<>();
      c.values().forEach(value -> value.versions().forEach(v -> roots.add(v.root())));
      for (ChunkId root : roots) {
        reindex(id, root);
      }
    }
    return wasUp;
  }

  /** The owner's catalog for {@code name} is now {@code value} (empty: no longer held). */
  public void catalogChanged(NodeId owner, String name, CatalogValue value) {
    if (owner.equals(self)) {
      return;
    }
    Map<String, CatalogValue> c = catalogs.computeIfAbsent(owner, k -> new HashMap<>());
    CatalogValue before = value.versions().isEmpty() ? c.remove(name) : c.put(name, value);
    if (c.isEmpty()) {
      catalogs.remove(owner);
    }
    Set<ChunkId> roots = new HashSet<>();
    if (before != null) {
      before.versions().forEach(v -> roots.add(v.root()));
    }
    value.versions().forEach(v -> roots.add(v.root()));
    for (ChunkId root : roots) {
      reindex(owner, root);
    }
  }

  /** Where a live member listens, or null when it is not live. */
  public Endpoint address(NodeId id) {
    return alive.get(id);
  }

  /** Alive members other than this node holding {@code root} (complete or partial), in id order. */
  public List<Holder> holders(ChunkId root) {
    List<Holder> out = new ArrayList<>();
    Map<NodeId, Boolean> h = byRoot.get(root);
    if (h != null) {
      h.forEach(
          (id, complete) -> {
            Endpoint at = alive.get(id);
            if (at != null) {
              out.add(new Holder(id, at, complete));
            }
          });
    }
    return out;
  }

  @Override
  public List<PeerChoice.Candidate> of(ChunkId root) {
    List<PeerChoice.Candidate> out = new ArrayList<>();
    Map<NodeId, Boolean> h = byRoot.get(root);
    if (h != null) {
      h.forEach(
          (id, complete) -> {
            if (alive.containsKey(id)) {
              out.add(new PeerChoice.Candidate(id, complete));
            }
          });
    }
    return out;
  }

  @Override
  public String zoneOf(NodeId peer) {
    return zones.getOrDefault(peer, Zone.NONE);
  }

  @Override
  public boolean isUp(NodeId peer) {
    return alive.containsKey(peer);
  }

  /**
   * The members other than this node that began to hold {@code root} partially, in the order they
   * did, alive or not (a member that stops holding it and starts again appears again): where a
   * fetch looks for newcomers without rescanning every holder. Read on the writer's thread only; a
   * view that grows, forgotten once nobody holds the root.
   */
  @Override
  public List<NodeId> arrivals(ChunkId root) {
    List<NodeId> a = arrivals.get(root);
    return a == null ? List.of() : Collections.unmodifiableList(a);
  }

  /** What {@code owner} holds of {@code root} over all its names: null, partial or complete. */
  private Boolean holding(NodeId owner, ChunkId root) {
    Boolean out = null;
    for (CatalogValue value : catalogs.getOrDefault(owner, Map.of()).values()) {
      for (HeldVersion v : value.versions()) {
        if (v.root().equals(root)) {
          out = Boolean.TRUE.equals(out) || v.complete();
        }
      }
    }
    return out;
  }

  private void reindex(NodeId owner, ChunkId root) {
    Boolean now = holding(owner, root);
    ConcurrentSkipListMap<NodeId, Boolean> h = byRoot.get(root);
    if (now == null) {
      if (h != null && h.remove(owner) != null && h.isEmpty()) {
        byRoot.remove(root);
        arrivals.remove(root);
      }
      return;
    }
    if (h == null) {
      h = new ConcurrentSkipListMap<>();
      byRoot.put(root, h);
    }
    if (h.put(owner, now) == null && !now) {
      arrivals.computeIfAbsent(root, k -> new ArrayList<>()).add(owner);
    }
  }
}
