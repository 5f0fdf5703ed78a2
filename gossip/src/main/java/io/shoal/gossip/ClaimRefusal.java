package io.shoal.gossip;

/** Why the core refused a claim; each is counted ({@link GossipCore#refusedClaims}). */
public enum ClaimRefusal {
  /** A signature does not verify, or a credential is refused: someone lied. */
  FORGED,
  /** The key needed to check it is not known yet; a later exchange brings it and the claim. */
  UNVERIFIABLE,
  /** Taking it would pass a bound: members, owners, or entries of one owner. */
  BOUNDS,
  /**
   * A pin or unpin, correctly signed, by a node this node's policy does not let publish the name
   * ({@code --trust-publisher}): relayed in its carrier's entry, never honoured or carried here.
   */
  UNTRUSTED_PIN;

  /** The lower-case label for metrics. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
