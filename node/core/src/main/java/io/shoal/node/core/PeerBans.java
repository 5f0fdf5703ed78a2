package io.shoal.node.core;

import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The peers this node will not fetch from, across fetches, each until its ban ends. A peer is
 * banned by its node id, which the runtime derives from the public key of the certificate the peer
 * authenticated with (never from what it says, nor from its address): a new address does not lift a
 * ban, and a new key is a new cluster credential the CA had to issue. Bans live in memory: a
 * restart lifts them (the peer must fail verification again to be banned again).
 *
 * <p>At most {@link #MAX_BANNED_PEERS} bans are held; past it the ban ending soonest gives way.
 * Time comes in as {@code nowNanos}. Single-threaded.
 */
public final class PeerBans {
  /** Most bans held at once. */
  public static final int MAX_BANNED_PEERS = 1024;

  /**
   * One ban.
   *
   * @param peer the banned node
   * @param reason why, for operators
   * @param untilNanos when it ends, on the session's clock
   */
  public record Ban(NodeId peer, String reason, long untilNanos) {
    /** Nanoseconds left at {@code nowNanos}, at least 0. */
    public long remainingNanos(long nowNanos) {
      return Math.max(0, untilNanos - nowNanos);
    }
  }

  private final long banNanos;
  private final Map<NodeId, Ban> bans = new TreeMap<>();

  PeerBans(long banNanos) {
    this.banNanos = banNanos;
  }

  /** Bans {@code peer} from now for the configured time (a ban in force is renewed). */
  void ban(NodeId peer, String reason, long nowNanos) {
    if (!bans.containsKey(peer) && bans.size() >= MAX_BANNED_PEERS) {
      evictSoonest();
    }
    bans.put(peer, new Ban(peer, reason, nowNanos + banNanos));
  }

  boolean isBanned(NodeId peer, long nowNanos) {
    Ban b = bans.get(peer);
    return b != null && b.untilNanos - nowNanos > 0;
  }

  boolean isEmpty() {
    return bans.isEmpty();
  }

  /** Drops the bans that ended; returns whether any did. */
  boolean expire(long nowNanos) {
    boolean any = false;
    for (Iterator<Ban> it = bans.values().iterator(); it.hasNext(); ) {
      if (it.next().untilNanos - nowNanos <= 0) {
        it.remove();
        any = true;
      }
    }
    return any;
  }

  /** The bans in force at {@code nowNanos}, in node id order. */
  List<Ban> inForce(long nowNanos) {
    List<Ban> out = new ArrayList<>();
    for (Ban b : bans.values()) {
      if (b.untilNanos - nowNanos > 0) {
        out.add(b);
      }
    }
    return out;
  }

  private void evictSoonest() {
    Ban soonest = null;
    for (Ban b : bans.values()) {
      if (soonest == null || b.untilNanos - soonest.untilNanos < 0) {
        soonest = b;
      }
    }
    bans.remove(soonest.peer);
  }
}
