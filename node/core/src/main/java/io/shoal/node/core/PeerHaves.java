package io.shoal.node.core;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What the peers of one fetch hold, as their haves say, kept in step with the availability counts
 * of the pending chunks: a complete holder counts for every data chunk, a partial one for the
 * chunks of its bitmap.
 *
 * <p>A partial bitmap is worth reading only against the snapshot's count of data chunks, which the
 * root fixes and the data plan tells. Before the plan a bitmap is kept as it came, in its compact
 * form (present runs), never expanded: all peers' kept bitmaps together hold at most {@link
 * #MAX_UNPLANNED_RUNS} runs, and a peer whose bitmaps do not fit is asked again once the plan is
 * known. So a peer's claim of {@link ChunkBitmap#MAX_BITS} indexes costs the fetch no more than the
 * bytes it sent. At the plan, and from then on, a bitmap over another count is a protocol
 * violation, and only one over the right count is expanded: a peer's claims cost the fetch no more
 * than the snapshot does. Single-threaded, owned by its {@link FetchCore}.
 */
final class PeerHaves {
  /**
   * Present runs of partial bitmaps kept for all peers of a fetch before its data plan, each bitmap
   * counting one more (8 bytes each: 256 KiB). Enough for the bitmaps of a few partial holders of a
   * large snapshot; past it a peer is asked again at the plan, which costs a round trip, not
   * correctness.
   */
  static final int MAX_UNPLANNED_RUNS = 1 << 15;

  private final PendingChunks pending;

  /** Bitmaps received before the data plan, by peer, in arrival order. */
  private final Map<FetchPeer, List<ChunkBitmap>> unplanned = new LinkedHashMap<>();

  /** Peers whose bitmaps before the plan did not fit: asked again at the plan. */
  private final Set<FetchPeer> askAgain = new LinkedHashSet<>();

  private int unplannedRuns;

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
   * The data plan says the snapshot has {@code count} data chunks. The first time, the bitmaps kept
   * until now are read against it: a peer whose bitmap spans another count is passed to {@code ban}
   * with the reason, a peer whose bitmaps were not kept to {@code ask}. A different count later is
   * a programmer error: the root fixes it.
   */
  void plan(int count, BiConsumer<FetchPeer, String> ban, Consumer<FetchPeer> ask) {
    if (dataChunks >= 0) {
      if (count != dataChunks) {
        throw new IllegalArgumentException(
            "data chunk count " + count + " differs from the planned " + dataChunks);
      }
      return;
    }
    dataChunks = count;
    for (Map.Entry<FetchPeer, List<ChunkBitmap>> e : unplanned.entrySet()) {
      for (ChunkBitmap have : e.getValue()) {
        String violation = add(e.getKey(), have);
        if (violation != null) {
          ban.accept(e.getKey(), violation);
          break;
        }
      }
    }
    unplanned.clear();
    unplannedRuns = 0;
    askAgain.forEach(ask);
    askAgain.clear();
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
    if (have.length() == 0 || p.all) {
      return null;
    }
    if (dataChunks < 0) {
      keepUntilPlan(p, have);
      return null;
    }
    if (have.length() != dataChunks) {
      return "its have bitmap spans "
          + have.length()
          + " data chunks where the snapshot has "
          + dataChunks;
    }
    BitSet added = have.toBitSet();
    added.andNot(p.have);
    p.have.or(added);
    p.exhausted &= added.isEmpty();
    pending.adjustAvailability(added, +1);
    return null;
  }

  /** Keeps {@code have} as it came until the plan, or marks {@code p} to be asked again then. */
  private void keepUntilPlan(FetchPeer p, ChunkBitmap have) {
    if (askAgain.contains(p)) {
      return; // the answer to the question at the plan holds this too
    }
    if (unplannedRuns + cost(have) > MAX_UNPLANNED_RUNS) {
      forget(p);
      askAgain.add(p);
      return;
    }
    unplanned.computeIfAbsent(p, k -> new ArrayList<>()).add(have);
    unplannedRuns += cost(have);
  }

  /** What keeping {@code have} counts against {@link #MAX_UNPLANNED_RUNS}: even one with no run. */
  private static int cost(ChunkBitmap have) {
    return have.presentRuns() + 1;
  }

  private void forget(FetchPeer p) {
    List<ChunkBitmap> kept = unplanned.remove(p);
    if (kept != null) {
      for (ChunkBitmap b : kept) {
        unplannedRuns -= cost(b);
      }
    }
  }

  /** {@code p} left the fetch: what it held has one holder fewer. */
  void remove(FetchPeer p) {
    forget(p);
    askAgain.remove(p);
    if (p.all) {
      pending.adjustAvailabilityAll(-1);
    } else {
      pending.adjustAvailability(p.have, -1);
    }
  }
}
