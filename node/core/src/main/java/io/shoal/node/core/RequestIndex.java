package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import java.util.HashMap;
import java.util.Map;

/**
 * The session's index of chunk requests in flight, by request id: the fetch each serves, the chunk
 * it names, the peer it went to. A reply is trusted only if it matches an entry. Every way a
 * request ends removes its entry: its reply or refusal, its cancel (a timeout, the endgame, a
 * released peer), its drop without a cancel (a ban, a peer gone) and the end of its fetch. An entry
 * left behind would keep its whole fetch reachable for as long as the node runs. Its size is
 * bounded by the fetches' in-flight bytes ({@link InFlightBudget}). Single-threaded.
 */
final class RequestIndex {
  /** A request in flight: the fetch it serves, the chunk it names, the peer it was sent to. */
  record Pending(FetchSession fetch, ChunkId id, NodeId peer) {}

  private final Map<Long, Pending> requests = new HashMap<>();

  void put(long requestId, FetchSession fetch, ChunkId id, NodeId peer) {
    requests.put(requestId, new Pending(fetch, id, peer));
  }

  /** The request, if it is in flight to {@code from}; else null. */
  Pending sentTo(NodeId from, long requestId) {
    Pending p = requests.get(requestId);
    return p != null && p.peer.equals(from) ? p : null;
  }

  Pending get(long requestId) {
    return requests.get(requestId);
  }

  void remove(long requestId) {
    requests.remove(requestId);
  }

  /** Forgets the requests of a fetch that ended: a late reply to one is stray. */
  void forget(FetchSession f) {
    requests.values().removeIf(p -> p.fetch == f);
  }

  int size() {
    return requests.size();
  }
}
