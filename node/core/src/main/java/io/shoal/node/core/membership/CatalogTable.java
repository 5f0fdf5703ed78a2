package io.shoal.node.core.membership;

import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Every owner's newest announcement per name, as the signed parts that carried it, for {@link
 * ViewCatalogs}: newer sequence numbers replace older ones, and an owner's leave makes everything
 * it announced before stale. Bounded: {@link #MAX_OWNERS} owners of {@link #MAX_NAMES_PER_OWNER}
 * names each, so at most 131,072 × 256 × 64 parts of 1 KiB in the worst case, about 64 KB per owner
 * and name announced with all {@link CatalogValue#MAX_VERSIONS} versions, typically one part of 300
 * to 900 bytes per name. Single-threaded.
 */
final class CatalogTable {
  /** Most owners held, this node and departed owners included; a new owner beyond is refused. */
  static final int MAX_OWNERS = 131_072;

  /** Most names held per owner, removed ones included; a new name beyond is refused. */
  static final int MAX_NAMES_PER_OWNER = 256;

  /** One owner's announcements, and what the directory was told about it. */
  static final class Owner {
    Endpoint address;
    String zone;
    boolean up;
    long leftSequence = -1;
    final NavigableMap<String, Entry> names = new TreeMap<>();
  }

  /** An owner's newest announcement for one name; an empty value says it no longer holds it. */
  record Entry(long sequence, CatalogValue value, List<byte[]> parts) {}

  private final NavigableMap<NodeId, Owner> owners = new TreeMap<>();

  /** Owners that left, oldest first: the first pushed out when the table is full. */
  private final LinkedHashSet<NodeId> departed = new LinkedHashSet<>();

  Owner owner(NodeId id) {
    return owners.get(id);
  }

  NavigableMap<NodeId, Owner> owners() {
    return owners;
  }

  int size() {
    return owners.size();
  }

  /** Whether an announcement of {@code name} by {@code owner} at {@code sequence} is not newer. */
  boolean isStale(NodeId owner, String name, long sequence) {
    Owner o = owners.get(owner);
    if (o == null) {
      return false;
    }
    Entry e = o.names.get(name);
    return sequence <= o.leftSequence || (e != null && sequence <= e.sequence());
  }

  /**
   * Keeps the announcement unless it is stale or beyond a bound; returns why not, or null when it
   * was kept.
   */
  CatalogRefusal put(NodeId owner, String name, Entry entry) {
    if (isStale(owner, name, entry.sequence())) {
      return CatalogRefusal.STALE;
    }
    Owner o = owners.get(owner);
    if (o == null) {
      if (owners.size() >= MAX_OWNERS && !forgetOldestDeparted()) {
        return CatalogRefusal.FULL;
      }
      o = new Owner();
      owners.put(owner, o);
    }
    if (!o.names.containsKey(name) && o.names.size() >= MAX_NAMES_PER_OWNER) {
      return CatalogRefusal.FULL;
    }
    o.names.put(name, entry);
    departed.remove(owner);
    return null;
  }

  /**
   * The owner left at {@code sequence}: its announcements are dropped and older ones stay stale.
   * Returns why not, or null when applied.
   */
  CatalogRefusal leave(NodeId owner, long sequence) {
    Owner o = owners.get(owner);
    if (o == null) {
      if (owners.size() >= MAX_OWNERS && !forgetOldestDeparted()) {
        return CatalogRefusal.FULL;
      }
      o = new Owner();
      owners.put(owner, o);
    }
    if (sequence <= o.leftSequence) {
      return CatalogRefusal.STALE;
    }
    for (Map.Entry<String, Entry> e : o.names.entrySet()) {
      if (e.getValue().sequence() >= sequence) {
        return CatalogRefusal.STALE; // it announced after this leave: it came back
      }
    }
    o.leftSequence = sequence;
    o.names.clear();
    o.up = false;
    departed.add(owner);
    return null;
  }

  private boolean forgetOldestDeparted() {
    if (departed.isEmpty()) {
      return false;
    }
    NodeId oldest = departed.iterator().next();
    departed.remove(oldest);
    owners.remove(oldest);
    return true;
  }
}
