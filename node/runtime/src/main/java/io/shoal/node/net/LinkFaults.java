package io.shoal.node.net;

import io.shoal.gossip.NodeId;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Faults this node injects into its own peer links, for fault drills and the testbed ({@code shoal
 * testbed}): messages to or from chosen peers dropped (one way or both), added latency on arriving
 * messages, a loss rate on arriving control messages, and a freeze that drops every message both
 * ways. The kernel's {@code tc netem} is not needed: {@link LinkFaultHandler} applies the rules in
 * every authenticated connection, keyed by the peer's proven id. Gossip and transfers ride the same
 * connections, so both see the faults. None by default; set only through the admin route a node
 * serves with {@code --enable-fault-injection}. Thread-safe: the rules are replaced whole.
 */
public final class LinkFaults {
  /** Most peers one rule names. */
  public static final int MAX_PEERS = 1024;

  /** Largest added latency. */
  public static final long MAX_LATENCY_MILLIS = 60_000;

  /**
   * The rules in force.
   *
   * @param dropTo peers this node sends nothing to
   * @param dropFrom peers whose messages this node drops on arrival
   * @param latencyMillis delay added to every message arriving from any peer
   * @param lossRate fraction of arriving control messages dropped at random (chunk frames are kept:
   *     they ride TCP, as in the simulator, where only gossip datagrams are lost)
   * @param frozen drop every message to and from every peer, as if the node were stopped
   * @param seed seeds the loss draws
   */
  public record Rules(
      Set<NodeId> dropTo,
      Set<NodeId> dropFrom,
      long latencyMillis,
      double lossRate,
      boolean frozen,
      long seed) {
    /**
     * @throws IllegalArgumentException naming the bad value
     */
    public Rules {
      dropTo = Set.copyOf(dropTo);
      dropFrom = Set.copyOf(dropFrom);
      if (dropTo.size() > MAX_PEERS || dropFrom.size() > MAX_PEERS) {
        throw new IllegalArgumentException("at most " + MAX_PEERS + " peers in dropTo or dropFrom");
      }
      if (latencyMillis < 0 || latencyMillis > MAX_LATENCY_MILLIS) {
        throw new IllegalArgumentException(
            "latencyMs must be 0.." + MAX_LATENCY_MILLIS + ", not " + latencyMillis);
      }
      if (!(lossRate >= 0 && lossRate <= 1)) {
        throw new IllegalArgumentException("lossRate must be in [0, 1], not " + lossRate);
      }
    }

    public static Rules none() {
      return new Rules(Set.of(), Set.of(), 0, 0, false, 0);
    }

    public boolean isNone() {
      return dropTo.isEmpty()
          && dropFrom.isEmpty()
          && latencyMillis == 0
          && lossRate == 0
          && !frozen;
    }

    boolean dropsTo(NodeId peer) {
      return frozen || dropTo.contains(peer);
    }

    boolean dropsFrom(NodeId peer) {
      return frozen || dropFrom.contains(peer);
    }
  }

  private volatile Rules rules = Rules.none();
  private SplittableRandom random = new SplittableRandom(0);

  public Rules rules() {
    return rules;
  }

  /** Replaces the rules; connections apply them to the next message. */
  public synchronized void set(Rules next) {
    random = new SplittableRandom(next.seed());
    rules = next;
  }

  /** A generator of its own for one connection's loss draws, split from the rules' seed. */
  synchronized SplittableRandom split() {
    return random.split();
  }
}
