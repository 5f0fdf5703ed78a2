package io.shoal.node.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** A chunk request in flight: to whom, for what, and when it is late and when overdue. */
final class InFlightRequest {
  /** A request is late once it has taken this many times what its peer's rate predicted. */
  static final int LATE_FACTOR = 2;

  final long id;
  final FetchPeer peer;
  final WantedChunk item;
  final long deadlineNanos;

  /** When the answer is overdue by the peer's measured rate: past it, the endgame may copy it. */
  final long lateNanos;

  private InFlightRequest(
      long id, FetchPeer peer, WantedChunk item, long deadlineNanos, long lateNanos) {
    this.id = id;
    this.peer = peer;
    this.item = item;
    this.deadlineNanos = deadlineNanos;
    this.lateNanos = lateNanos;
  }

  /**
   * A request sent now, timed by the peer's measured rate: it times out after the configured
   * timeout or eight times its expected time, whichever is longer, and is late once it has waited
   * twice the time to send what the peer already had in flight plus itself.
   */
  static InFlightRequest start(
      long id, FetchPeer p, WantedChunk item, long nowNanos, TransferConfig config) {
    double rate = p.rate.bytesPerSecond(nowNanos);
    long expected = rate > 0 ? (long) (item.size() * 1e9 / rate) : 0;
    long timeout = Math.max(config.requestTimeoutNanos(), 8 * expected);
    // It waits behind what the peer already has to send.
    long late =
        rate > 0
            ? (long) (LATE_FACTOR * (p.inFlightBytes + item.size()) * 1e9 / rate)
            : config.requestTimeoutNanos() / 4;
    return new InFlightRequest(id, p, item, nowNanos + timeout, nowNanos + late);
  }

  /** The requests past their deadline at {@code nowNanos}, by request id. */
  static List<InFlightRequest> overdue(Collection<InFlightRequest> requests, long nowNanos) {
    List<InFlightRequest> overdue = new ArrayList<>();
    for (InFlightRequest r : requests) {
      if (nowNanos - r.deadlineNanos >= 0) {
        overdue.add(r);
      }
    }
    overdue.sort(Comparator.comparingLong(r -> r.id));
    return overdue;
  }

  /** The earliest of the requests' deadlines and {@code best} ({@code Long.MAX_VALUE}: none). */
  static long earliestDeadline(Collection<InFlightRequest> requests, long best) {
    for (InFlightRequest r : requests) {
      if (best == Long.MAX_VALUE || r.deadlineNanos - best < 0) {
        best = r.deadlineNanos;
      }
    }
    return best;
  }
}
