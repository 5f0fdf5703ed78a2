package io.shoal.node;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.HashAlgorithm;

/**
 * Which id algorithms this node fetches, follows, serves and publishes. A cluster whose members are
 * not all trusted requires sha256: xxh128 is fast but not collision resistant, so a member could
 * craft two chunks with one id.
 *
 * @param sha256Only whether only sha256 ids are accepted
 */
record HashRequirement(boolean sha256Only) {
  boolean allows(ChunkId id) {
    return !sha256Only || id.algorithm() == HashAlgorithm.SHA256;
  }

  /**
   * Refuses a snapshot whose ids this node does not accept.
   *
   * @throws IllegalArgumentException naming the snapshot and the rule
   */
  void check(String label, ChunkId root) {
    if (!allows(root)) {
      throw new IllegalArgumentException(
          label
              + " uses "
              + root.algorithm().label()
              + " ids; this node requires sha256 (--require-sha256)");
    }
  }

  /** The algorithm to publish with when none is asked for; refuses one that is not accepted. */
  HashAlgorithm forPublishing(HashAlgorithm asked) {
    if (asked == null) {
      return sha256Only ? HashAlgorithm.SHA256 : HashAlgorithm.XXH128;
    }
    if (sha256Only && asked != HashAlgorithm.SHA256) {
      throw new IllegalArgumentException(
          "this node requires sha256 ids (--require-sha256); cannot publish with " + asked.label());
    }
    return asked;
  }
}
