package io.shoal.gossip;

import io.shoal.chunkstore.ChunkId;
import java.util.SortedMap;

/**
 * What a node has heard of the swarm's catalogs, whichever membership carries them: full
 * membership's {@link GossipCore}, or the catalogs that travel over partial views. A reference to a
 * snapshot the node does not hold is resolved against it, and a status page shows it. Read on the
 * thread that owns it.
 */
public interface CatalogSource {
  /** Every owner's catalog as this node trusts it (non-empty values), by owner then name. */
  SortedMap<NodeId, SortedMap<String, CatalogValue>> catalogs();

  /** Every owner's catalog as relayed, versions this node does not trust included. */
  SortedMap<NodeId, SortedMap<String, CatalogValue>> relayedCatalogs();

  /**
   * A digest of what this node holds of {@code owner}'s catalog: equal at two nodes when they hold
   * the same of it.
   */
  ChunkId catalogDigest(NodeId owner);

  /** Whether this node trusts {@code v}: it may win, be followed and be fetched. */
  boolean isTrusted(HeldVersion v);

  /** A credential of {@code subject} that this node knows, or null. */
  Credential credentialOf(NodeId subject);

  /** Members this node can reach now, itself included. */
  int reachableMembers();

  /**
   * Catalog exchanges with a member completed so far: past 0, this node knows at least what one
   * member knew when it answered.
   */
  long syncReplies();
}
