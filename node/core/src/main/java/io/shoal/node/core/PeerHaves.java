package io.shoal.node.core;

import java.util.BitSet;

/**
 * What the peers of one fetch hold, as their haves say, kept in step with the availability counts
 * of the pending chunks: a complete holder counts for every data chunk, a partial one for the
 * chunks of its bitmap. Single-threaded, owned by its {@link FetchCore}.
 */
final class PeerHaves {
  private final PendingChunks pending;

  PeerHaves(PendingChunks pending) {
    this.pending = pending;
  }

  /** {@code p} holds every chunk from now. */
  void complete(FetchPeer p) {
    p.all = true;
    p.exhausted = false;
    pending.adjustAvailabilityAll(+1);
  }

  /** {@code p}'s bitmap says it holds {@code have}, besides what it held already. */
  void add(FetchPeer p, ChunkBitmap have) {
    BitSet added = have.toBitSet();
    pending.clipToLeaves(added);
    added.andNot(p.have);
    p.have.or(added);
    p.exhausted &= added.isEmpty();
    pending.adjustAvailability(added, +1);
  }

  /** {@code p} left the fetch: what it held has one holder fewer. */
  void remove(FetchPeer p) {
    if (p.all) {
      pending.adjustAvailabilityAll(-1);
    } else {
      pending.adjustAvailability(p.have, -1);
    }
  }
}
