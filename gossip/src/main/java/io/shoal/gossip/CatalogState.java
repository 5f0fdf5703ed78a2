package io.shoal.gossip;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatWriter;
import io.shoal.chunkstore.HashAlgorithm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Every owner's catalog, replicated with Scuttlebutt (van Renesse et al., "Efficient Reconciliation
 * and Flow Control for Anti-Entropy Protocols", 2008).
 *
 * <p>Each owner stamps its changes with a rising version; a node's digest says, per owner, the
 * version up to which it has everything. Reconciliation sends, per owner, the entries above the
 * peer's version in ascending order, so a budget-truncated batch is still a valid prefix and the
 * receiver can raise its version to the last entry received. Entries that arrive out of order by
 * piggybacking are applied but do not raise the version. A generation, raised at every restart of
 * the owner, resets what others hold of it.
 *
 * <p>Not thread-safe.
 */
final class CatalogState {
  /** One owner's map. */
  static final class Owner {
    final NodeId id;
    long generation;
    long maxVersion;
    final TreeMap<String, CatalogDelta> entries = new TreeMap<>();

    Owner(NodeId id, long generation) {
      this.id = id;
      this.generation = generation;
    }
  }

  private final NodeId self;
  private final TreeMap<NodeId, Owner> owners = new TreeMap<>();

  CatalogState(NodeId self, long generation) {
    this.self = self;
    owners.put(self, new Owner(self, generation));
  }

  /**
   * Records a change to the local catalog; returns the delta to spread, or null when the value is
   * what the map already holds.
   */
  CatalogDelta setLocal(String name, CatalogValue value) {
    Owner me = owners.get(self);
    CatalogDelta current = me.entries.get(name);
    if (current != null && current.value().equals(value)) {
      return null;
    }
    if (current == null && value.versions().isEmpty()) {
      return null;
    }
    CatalogDelta d = new CatalogDelta(self, me.generation, ++me.maxVersion, name, value);
    me.entries.put(name, d);
    return d;
  }

  /**
   * Applies a delta from another node; returns true when it changed a value. A sync batch ({@code
   * inOrder}) also raises the owner's version.
   */
  boolean apply(CatalogDelta d, boolean inOrder) {
    if (d.owner().equals(self)) {
      return false;
    }
    Owner o = owners.get(d.owner());
    if (o == null || d.generation() > o.generation) {
      o = new Owner(d.owner(), d.generation());
      owners.put(d.owner(), o);
    } else if (d.generation() < o.generation) {
      return false;
    }
    if (inOrder && d.version() > o.maxVersion) {
      o.maxVersion = d.version();
    }
    CatalogDelta current = o.entries.get(d.name());
    if (current != null && current.version() >= d.version()) {
      return false;
    }
    o.entries.put(d.name(), d);
    return current == null ? !d.value().versions().isEmpty() : !current.value().equals(d.value());
  }

  /** The digest: self first, then other owners (all, or a random sample past the cap). */
  List<OwnerDigest> digest(int max, RandomGenerator random) {
    List<OwnerDigest> out = new ArrayList<>();
    Owner me = owners.get(self);
    out.add(new OwnerDigest(self, me.generation, me.maxVersion));
    List<Owner> others = new ArrayList<>(owners.size());
    for (Owner o : owners.values()) {
      if (!o.id.equals(self)) {
        others.add(o);
      }
    }
    if (others.size() > max - 1) {
      for (int i = others.size() - 1; i > 0; i--) {
        Collections.swap(others, i, random.nextInt(i + 1));
      }
      others = others.subList(0, max - 1);
      others.sort(Comparator.comparing(o -> o.id));
    }
    for (Owner o : others) {
      out.add(new OwnerDigest(o.id, o.generation, o.maxVersion));
    }
    return out;
  }

  boolean isDigestComplete(int max) {
    return owners.size() <= max;
  }

  /**
   * The entries a peer lacks given its digest, oldest first per owner, within {@code budgetBytes}.
   * Owners the peer's complete digest does not list are sent whole.
   */
  List<CatalogDelta> deltasFor(List<OwnerDigest> theirs, boolean theirsComplete, int budgetBytes) {
    Map<NodeId, OwnerDigest> known = new TreeMap<>();
    for (OwnerDigest d : theirs) {
      known.put(d.owner(), d);
    }
    List<CatalogDelta> out = new ArrayList<>();
    int bytes = 0;
    for (Owner o : owners.values()) {
      OwnerDigest their = known.get(o.id);
      long after;
      if (their == null) {
        if (!theirsComplete) {
          continue;
        }
        after = 0;
      } else if (their.generation() < o.generation) {
        after = 0;
      } else if (their.generation() > o.generation || their.maxVersion() >= o.maxVersion) {
        continue;
      } else {
        after = their.maxVersion();
      }
      List<CatalogDelta> pending = new ArrayList<>();
      for (CatalogDelta d : o.entries.values()) {
        if (d.version() > after && d.version() <= o.maxVersion) {
          pending.add(d);
        }
      }
      pending.sort(Comparator.comparingLong(CatalogDelta::version));
      for (CatalogDelta d : pending) {
        int size = d.estimatedBytes();
        if (bytes + size > budgetBytes) {
          return out;
        }
        bytes += size;
        out.add(d);
      }
    }
    return out;
  }

  void remove(NodeId owner) {
    if (!owner.equals(self)) {
      owners.remove(owner);
    }
  }

  long generation(NodeId owner) {
    Owner o = owners.get(owner);
    return o == null ? -1 : o.generation;
  }

  /** Every owner's values, non-empty ones only. */
  SortedMap<NodeId, SortedMap<String, CatalogValue>> view() {
    SortedMap<NodeId, SortedMap<String, CatalogValue>> out = new TreeMap<>();
    for (Owner o : owners.values()) {
      SortedMap<String, CatalogValue> values = new TreeMap<>();
      for (CatalogDelta d : o.entries.values()) {
        if (!d.value().versions().isEmpty()) {
          values.put(d.name(), d.value());
        }
      }
      out.put(o.id, values);
    }
    return out;
  }

  /**
   * The Merkle root over an owner's catalog: equal digests mean equal catalogs. An xxh128 over the
   * sorted entries, each entry's encoding hashed first.
   */
  ChunkId catalogDigest(NodeId owner) {
    Owner o = owners.get(owner);
    FormatWriter w = new FormatWriter(64);
    if (o != null) {
      for (CatalogDelta d : o.entries.values()) {
        if (d.value().versions().isEmpty()) {
          continue;
        }
        FormatWriter e = new FormatWriter(64).utf8u16(d.name());
        for (HeldVersion v : d.value().versions()) {
          e.u64(v.version()).chunkId(v.root()).u8(v.complete() ? 1 : 0).u64(v.sizeBytes());
        }
        w.chunkId(HashAlgorithm.XXH128.hash(e.toByteArray()));
      }
    }
    return HashAlgorithm.XXH128.hash(w.toByteArray());
  }
}
