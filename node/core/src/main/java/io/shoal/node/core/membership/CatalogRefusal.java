package io.shoal.node.core.membership;

/** Why {@link ViewCatalogs} refused a payload or a sync page; each is counted. */
public enum CatalogRefusal {
  /** Bytes that do not decode: a bad kind, format, field or length, or parts that disagree. */
  MALFORMED,
  /** A payload or a sync page larger than its bound. */
  OVERSIZED,
  /** A signature that does not verify, or a credential the authority does not admit. */
  FORGED,
  /** A payload whose signer's credential did not arrive while it waited its turn. */
  UNVERIFIABLE,
  /** An announcement or leave no newer than what this node holds for its owner. */
  STALE,
  /**
   * A new owner beyond {@link ViewCatalogs#MAX_OWNERS} or a new name beyond its per-owner bound.
   */
  FULL,
  /** Parts of an announcement pushed out by newer ones before all of them arrived. */
  INCOMPLETE
}
