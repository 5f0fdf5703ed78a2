package io.shoal.gossip;

/**
 * One entry of an owner's Scuttlebutt map, stamped with the owner's generation (raised at every
 * restart) and a version (raised at every change the owner makes), and signed by the owner over
 * both and the content (see {@link ClaimPayloads}): only the owner can add to, replace or reset its
 * map, whoever relays the entry.
 */
public sealed interface OwnerEntry extends GossipUpdate permits CatalogDelta, CredentialDelta {
  /** The node whose map this entry belongs to. */
  NodeId owner();

  /** The owner's generation. */
  long generation();

  /** The owner's version counter at this change. */
  long version();

  /** The owner's signature over the entry. */
  Signature signature();
}
