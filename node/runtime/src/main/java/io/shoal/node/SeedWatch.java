package io.shoal.node;

import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.node.net.DialFailure;
import io.shoal.node.net.PeerTransport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What became of this node's seeds: for each, whether a connection reached it, whether it answered
 * the join's push-pull exchange (whose reply carries its view of every catalog it knows), and else
 * why the last attempt to reach it failed. A fetch reads it ({@link #reach}) to tell "cannot reach
 * the swarm" from "the swarm has no such snapshot", and to stop waiting once every seed has
 * answered or failed. Holds only the configured seeds (this node's own address left out, as the
 * join leaves it out). Thread-safe.
 */
final class SeedWatch implements PeerTransport.DialListener {
  private final Map<Endpoint, Seed> seeds = new LinkedHashMap<>(); // guarded by this

  private static final class Seed {
    NodeId reached;
    boolean answered;
    DialFailure lastFailure;
  }

  SeedWatch(List<Endpoint> configured, Endpoint self) {
    for (Endpoint e : configured) {
      if (!e.equals(self)) {
        seeds.put(e, new Seed());
      }
    }
  }

  /** A watch of {@code configured} seeds, fed by the transport's dials and the peers' replies. */
  static SeedWatch on(
      PeerTransport transport, PeerListener peers, List<Endpoint> configured, Endpoint self) {
    SeedWatch w = new SeedWatch(configured, self);
    transport.onDial(w);
    peers.watchSeeds(w);
    return w;
  }

  @Override
  public synchronized void onReached(Endpoint to, NodeId peer) {
    Seed s = seeds.get(to);
    if (s != null) {
      s.reached = peer;
    }
  }

  @Override
  public synchronized void onFailed(Endpoint to, DialFailure why) {
    Seed s = seeds.get(to);
    if (s != null) {
      s.lastFailure = why;
    }
  }

  /** {@code from} answered a push-pull request with its view of the catalogs. */
  synchronized void onReply(NodeId from) {
    for (Seed s : seeds.values()) {
      if (from.equals(s.reached)) {
        s.answered = true;
      }
    }
  }

  /** What is known of each seed now. */
  synchronized Reach reach() {
    List<SeedState> out = new ArrayList<>(seeds.size());
    seeds.forEach(
        (at, s) -> out.add(new SeedState(at, s.reached != null, s.answered, s.lastFailure)));
    return new Reach(out);
  }

  /**
   * One seed as a fetch sees it.
   *
   * @param lastFailure why the last attempt failed, or null when none has
   */
  record SeedState(Endpoint at, boolean reached, boolean answered, DialFailure lastFailure) {
    /** Nothing more to wait for: it answered, or it failed without ever being reached. */
    boolean isSettled() {
      return answered || (!reached && lastFailure != null);
    }

    String describe() {
      if (reached) {
        return at
            + ": reached, but it has not answered with its catalogs (can it connect back to"
            + " this node's --listen/--advertise address?)";
      }
      return at + ": " + (lastFailure == null ? "no answer yet" : lastFailure.describe());
    }
  }

  /** The seeds at one moment, and what a fetch can conclude from them. */
  record Reach(List<SeedState> seeds) {
    /**
     * Whether waiting longer would not change what a fetch finds: every seed answered or failed,
     * and either one was reached or no other member is known (with no seeds, when no other member
     * is known). {@code otherMembers} counts the reachable members other than this node.
     */
    boolean isSettled(int otherMembers) {
      if (seeds.isEmpty()) {
        return otherMembers == 0;
      }
      return seeds.stream().allMatch(SeedState::isSettled) && (anyReached() || otherMembers == 0);
    }

    boolean anyReached() {
      return seeds.stream().anyMatch(SeedState::reached);
    }

    /**
     * The failure a fetch of {@code ref} reports when the swarm does not announce it: seeds that
     * cannot be reached when no member was, else that no member announces it, with the seeds that
     * failed or stayed silent. {@code settled} says whether waiting longer could change it.
     */
    Exception missing(String ref, int otherMembers, boolean settled) {
      if (!anyReached() && otherMembers == 0) {
        if (seeds.isEmpty()) {
          return new IllegalArgumentException(
              "no member of the swarm announces " + ref + ": this node knows no other member");
        }
        boolean allFailed = seeds.stream().allMatch(SeedState::isSettled);
        return new SeedsUnreachableException(
            (allFailed ? "cannot reach any seed" : "no seed has answered yet")
                + " to fetch "
                + ref
                + ": "
                + describeAll(false));
      }
      String unwell = describeAll(true);
      return new IllegalArgumentException(
          "no member of the swarm announces "
              + ref
              + (settled ? "" : " (yet)")
              + (unwell.isEmpty() ? "" : "; " + unwell));
    }

    /** Each seed's line, joined; only those that failed or stayed silent when {@code unwell}. */
    private String describeAll(boolean unwell) {
      List<String> lines = new ArrayList<>();
      for (SeedState s : seeds) {
        if (!unwell || !s.answered()) {
          lines.add(s.describe());
        }
      }
      return String.join("; ", lines);
    }
  }
}
