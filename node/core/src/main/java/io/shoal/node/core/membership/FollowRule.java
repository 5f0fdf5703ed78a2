package io.shoal.node.core.membership;

import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Credential;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Winners;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The winner of each name as this node knows it, and which new winners to fetch now.
 *
 * <p>A version becomes its name's known winner when it beats ({@link Winners#beats}) every version
 * of the name seen so far: announced by a member, or held complete here (a partial local version
 * does not count, so that gossip announcing it resumes the fetch). A new winner of a followed name
 * ({@link GlobMatcher}) that this node does not hold complete, as the last {@link LocalCatalog}
 * says, is to be fetched now ({@link #pollFollow}).
 *
 * <p>{@link Membership} feeds it from gossip; the simulator's converged directory, which has no
 * gossip, feeds it directly. Single-threaded.
 */
public final class FollowRule {
  private final NodeId self;
  private final GlobMatcher follow;
  private final Function<NodeId, Credential> credentials;
  private final Map<String, HeldVersion> knownWinners = new HashMap<>();
  private LocalCatalog local = new LocalCatalog(new TreeMap<>(), Map.of());
  private final ArrayDeque<LearnedWinner> winners = new ArrayDeque<>();
  private final ArrayDeque<Follow> follows = new ArrayDeque<>();

  /**
   * @param patterns the names whose winners this node fetches
   * @param credentials a publisher's credential as gossip knows it, or null, for {@link Follow}
   */
  public FollowRule(NodeId self, List<String> patterns, Function<NodeId, Credential> credentials) {
    this.self = self;
    this.follow = new GlobMatcher(patterns);
    this.credentials = credentials;
  }

  /** What this node holds now; its complete versions count as seen. */
  public void onLocalCatalog(LocalCatalog catalog) {
    local = catalog;
    catalog
        .versions()
        .forEach(
            (name, versions) -> {
              List<HeldVersion> complete = new ArrayList<>();
              for (HeldVersion v : versions) {
                if (v.complete()) {
                  complete.add(v);
                }
              }
              if (!complete.isEmpty()) {
                onAnnounced(self, name, new CatalogValue(Membership.newestOf(complete)));
              }
            });
  }

  /** Member {@code owner} announces {@code value} for {@code name}. */
  public void onAnnounced(NodeId owner, String name, CatalogValue value) {
    for (HeldVersion v : value.versions()) {
      HeldVersion known = knownWinners.get(name);
      if (known != null && !Winners.beats(v.version(), v.root(), known.version(), known.root())) {
        continue;
      }
      knownWinners.put(name, v);
      winners.add(new LearnedWinner(name, v, owner));
      if (follow.matches(name) && !holdsComplete(name, v)) {
        follows.add(new Follow(name, v, credentials.apply(v.publisher())));
      }
    }
  }

  /** The next new winner of a name; null when none. */
  public LearnedWinner pollWinner() {
    return winners.poll();
  }

  /** The next winner to fetch now; null when none. */
  public Follow pollFollow() {
    return follows.poll();
  }

  /** The winner of {@code name} as this node knows it; null when it knows no version. */
  public HeldVersion knownWinner(String name) {
    return knownWinners.get(name);
  }

  private boolean holdsComplete(String name, HeldVersion v) {
    for (HeldVersion h : local.versions().getOrDefault(name, List.of())) {
      if (h.complete() && h.version() == v.version() && h.root().equals(v.root())) {
        return true;
      }
    }
    return false;
  }
}
