package io.shoal.node.core;

import java.util.BitSet;

/**
 * What the peers of one fetch hold, as their haves say, kept in step with the availability counts
 * of the pending chunks: a complete holder counts for every data chunk, a partial one for the
 * chunks of its bitmap.
 *
 * <p>A partial bitmap is worth reading only against the snapshot's count of data chunks, which the
 * root fixes and the data plan tells. Before the plan a bitmap is dropped unread, so a peer's claim
 * of {@link ChunkBitmap#MAX_BITS} indexes costs nothing (the fetch asks partial peers for their
 * bitmaps only once the plan is known, so such a bitmap was not asked for). After it, a bitmap over
 * another count is a protocol violation, and only one over the right count is expanded: a peer's
 * claims cost the fetch no more than the snapshot does. Single-threaded, owned by its {@link
 * FetchCore}.
 */
final class PeerHaves {
  private final PendingChunks pending;

  /** The snapshot's count of data chunks once the data plan fixed it, else -1. */
  private int dataChunks = -1;

  PeerHaves(PendingChunks pending) {
    this.pending = pending;
  }

  /** Whether the data plan fixed the count of data chunks (partial peers are asked from then). */
  boolean isPlanned() {
    return dataChunks >= 0;
  }

  /**
   * The data plan says the snapshot has {@code count} data chunks; returns whether this fixed the
   * count (a different count later is a programmer error: the root fixes it).
   */
  boolean plan(int count) {
    if (dataChunks >= 0 && count != dataChunks) {
      throw new IllegalArgumentException(
          "data chunk count " + count + " differs from the planned " + dataChunks);
    }
    boolean fixed = dataChunks < 0;
    dataChunks = count;
    return fixed;
  }

  /** {@code p} holds every chunk from now. */
  void complete(FetchPeer p) {
    p.all = true;
    p.exhausted = false;
    pending.adjustAvailabilityAll(+1);
  }

  /**
   * {@code p}'s bitmap says it holds {@code have}, besides what it held already. Returns why the
   * bitmap breaks the protocol (its length is not the snapshot's count of data chunks), or null. An
   * empty bitmap of length 0 is a peer that has no plan of its own yet, and holds nothing.
   */
  String add(FetchPeer p, ChunkBitmap have) {
    if (dataChunks < 0 || have.length() == 0) {
      return null;
    }
    if (have.length() != dataChunks) {
      return "its have bitmap spans "
          + have.length()
          + " data chunks where the snapshot has "
          + dataChunks;
    }
    if (!p.all) {
      BitSet added = have.toBitSet();
      added.andNot(p.have);
      p.have.or(added);
      p.exhausted &= added.isEmpty();
      pending.adjustAvailability(added, +1);
    }
    return null;
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
