package io.shoal.node.core;

import java.util.Collection;
import java.util.Iterator;

/**
 * The endgame: with nothing left to request, a copy of a request still in flight elsewhere, so the
 * last chunks do not wait on the slowest peer. Only a request that is late (by its peer's measured
 * rate), or any request when the asking peer is idle, is copied: copying everything in flight would
 * move the tail of the snapshot twice. Oldest first, looking at a bounded number; the first copy to
 * arrive cancels the others. A peer in another zone never copies a request already in flight to
 * another zone: the copy would cross the scarce links twice ({@link ZoneGate}).
 */
final class Endgame {
  /** Requests the endgame looks at, oldest first, for one to copy. */
  static final int MAX_ENDGAME_SCAN = 64;

  private Endgame() {}

  /**
   * The chunk to ask {@code p} for a copy of, or null.
   *
   * @param inFlight the requests in flight, oldest first
   * @param duplicates most requests in flight for one chunk
   */
  static WantedChunk pick(
      FetchPeer p, Collection<InFlightRequest> inFlight, long nowNanos, int duplicates) {
    boolean idle = p.inFlightBytes == 0;
    int scanned = 0;
    for (Iterator<InFlightRequest> it = inFlight.iterator();
        it.hasNext() && scanned < MAX_ENDGAME_SCAN;
        scanned++) {
      InFlightRequest r = it.next();
      WantedChunk item = r.item;
      if ((idle || nowNanos - r.lateNanos >= 0)
          && !item.done
          && item.inFlight < duplicates
          && r.peer != p
          && p.mayAsk(item)
          && !requestedFrom(item, p)
          && (p.crossGate == null || !requestedAcross(item))) {
        return item;
      }
    }
    return null;
  }

  private static boolean requestedAcross(WantedChunk item) {
    for (InFlightRequest r : item.requests) {
      if (r.peer.crossGate != null) {
        return true;
      }
    }
    return false;
  }

  private static boolean requestedFrom(WantedChunk item, FetchPeer p) {
    for (InFlightRequest r : item.requests) {
      if (r.peer == p) {
        return true;
      }
    }
    return false;
  }
}
