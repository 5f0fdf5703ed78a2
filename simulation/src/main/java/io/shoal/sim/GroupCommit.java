package io.shoal.sim;

import io.shoal.chunkstore.VerifiedChunk;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The runtime store's group commit as one simulated node sees it: a verified chunk waits until the
 * next commit, at most {@link #COMMIT_INTERVAL_NANOS} after the first chunk waiting, before a read
 * would find it (the runtime's {@code ChunkSink} commits every 20 ms). Waiting chunks are memory: a
 * crash loses them, as it loses an uncommitted batch.
 */
final class GroupCommit {
  /** How long after the first waiting chunk the commit comes. */
  static final long COMMIT_INTERVAL_NANOS = 20_000_000L;

  /**
   * A verified chunk waiting for the commit.
   *
   * @param real its bytes with real payloads, else null
   */
  record Waiting(int chunk, boolean badBytes, VerifiedChunk real) {}

  private final List<Waiting> waiting = new ArrayList<>();
  private final BitSet waitingChunks = new BitSet();
  private boolean scheduled;

  /**
   * Adds a verified chunk unless it waits already; returns whether a commit must be scheduled (none
   * is yet).
   */
  boolean add(int chunk, boolean badBytes, VerifiedChunk real) {
    if (waitingChunks.get(chunk)) {
      return false;
    }
    waitingChunks.set(chunk);
    waiting.add(new Waiting(chunk, badBytes, real));
    boolean schedule = !scheduled;
    scheduled = true;
    return schedule;
  }

  /** The commit: every waiting chunk, in arrival order; none waits after. */
  List<Waiting> commit() {
    List<Waiting> out = new ArrayList<>(waiting);
    clear();
    return out;
  }

  /** A crash: the waiting chunks are lost. */
  void clear() {
    waiting.clear();
    waitingChunks.clear();
    scheduled = false;
  }
}
