package io.shoal.node.core;

import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A chunk one fetch wants, as its scheduler tracks it: its place in the order, its requests in
 * flight, and the peers not to ask for it. Single-threaded, like the fetch.
 */
final class WantedChunk {
  /** Estimate for metadata chunks before their size is known. */
  static final int METADATA_SIZE_ESTIMATE = 64 * 1024;

  static final int PRIORITY_METADATA = 0;
  static final int PRIORITY_STREAM = 1;
  static final int PRIORITY_NORMAL = 2;

  /** Priority, then rarest, then the rotated tie-break, then the id (written out: it is hot). */
  static final Comparator<WantedChunk> ORDER =
      (a, b) -> {
        if (a.priority != b.priority) {
          return Integer.compare(a.priority, b.priority);
        }
        if (a.availability != b.availability) {
          return Integer.compare(a.availability, b.availability);
        }
        if (a.tieKey != b.tieKey) {
          return Long.compare(a.tieKey, b.tieKey);
        }
        return a.wanted.id().compareTo(b.wanted.id());
      };

  final FetchCore.Wanted wanted;
  final int[] leaves;
  int priority;
  int availability;
  long tieKey;
  int inFlight;
  boolean done;

  /**
   * This node's rank for crossing zones for it, as of {@link ZoneGate}'s epoch {@link #crossEpoch}.
   */
  int crossRank;

  int crossEpoch;

  /** Ask for it whole from now on, not as a delta (a reply for it failed verification). */
  boolean wholeOnly;

  /** Requests in flight for this chunk: one, or a few in the endgame. */
  final List<InFlightRequest> requests = new ArrayList<>(2);

  final Set<NodeId> badFrom = new HashSet<>();

  /** Peers that answered NOT_FOUND for this chunk, until their backoff ends. */
  final Set<NodeId> refusedBy = new HashSet<>(2);

  WantedChunk(FetchCore.Wanted wanted, int[] leaves) {
    this.wanted = wanted;
    this.leaves = leaves;
  }

  /** Whether {@code peer} is not to be asked for this chunk (now). */
  boolean excludes(NodeId peer) {
    return badFrom.contains(peer) || refusedBy.contains(peer);
  }

  int size() {
    return wanted.sizeBytes() > 0 ? wanted.sizeBytes() : METADATA_SIZE_ESTIMATE;
  }

  /** The request for it: against its bases while it has some and none of its replies was bad. */
  TransferMessage.Request request(long requestId, long linkBytesPerSecond) {
    return wholeOnly || wanted.bases().isEmpty()
        ? new TransferMessage.ChunkRequest(requestId, wanted.id(), linkBytesPerSecond)
        : new TransferMessage.DeltaRequest(
            requestId, wanted.id(), wanted.bases(), linkBytesPerSecond);
  }

  /** Whether nothing is in flight for it and it is not done: it belongs in the pending set. */
  boolean isUnassigned() {
    return !done && inFlight == 0;
  }
}
