package io.shoal.gossip;

import java.util.TreeMap;

/**
 * One owner's map as this node holds it: its generation, the version up to which it holds every
 * entry, and the entries (catalog names and carried credentials). Not thread-safe.
 */
final class OwnerMap {
  final NodeId id;
  long generation;
  long maxVersion;
  final TreeMap<String, CatalogDelta> entries = new TreeMap<>();
  final TreeMap<NodeId, CredentialDelta> credentials = new TreeMap<>();

  OwnerMap(NodeId id, long generation) {
    this.id = id;
    this.generation = generation;
  }

  /** The entry held under the same key as {@code e}, or null. */
  OwnerEntry current(OwnerEntry e) {
    return e instanceof CatalogDelta d
        ? entries.get(d.name())
        : credentials.get(((CredentialDelta) e).subject());
  }

  /** Entries of {@code e}'s kind held. */
  int count(OwnerEntry e) {
    return e instanceof CatalogDelta ? entries.size() : credentials.size();
  }
}
