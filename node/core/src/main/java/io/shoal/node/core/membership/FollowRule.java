package io.shoal.node.core.membership;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Credential;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Pin;
import io.shoal.gossip.Winners;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The winner of each name as this node knows it, and which new winners to fetch now.
 *
 * <p>A version becomes its name's known winner when it beats ({@link Winners#beats}) every version
 * of the name seen so far: announced by a member, or held complete here (a partial local version
 * does not count, so that gossip announcing it resumes the fetch). A pinned name's winner is
 * instead its pinned version ({@link Pin}, the newest claim seen, carried in announcements), once
 * some member announces exactly that root; until then the pin waits and the winner stays what it
 * was. An unpin makes the highest version seen the winner again. A new winner of a followed name
 * ({@link GlobMatcher}) that this node does not hold complete, as the last {@link LocalCatalog}
 * says, is to be fetched now ({@link #pollFollow}).
 *
 * <p>A follow whose fetch failed ({@link #onFollowFailed}: no peer left, the fetch stalled or was
 * refused) is given again after a wait, 5 s doubling to 60 s while the same version keeps failing,
 * for as long as that version is still the name's winner and not held complete ({@link #onTimer}).
 * Without it a follower that lost its fetch to a partition would wait for the name's next version,
 * which a writer that has stopped never publishes.
 *
 * <p>{@link Membership} feeds it from gossip; the simulator's converged directory, which has no
 * gossip, feeds it directly. Single-threaded.
 */
public final class FollowRule {
  /** Versions of one name remembered, newest seen last, for a pin that names an older one. */
  static final int MAX_SEEN_PER_NAME = CatalogValue.MAX_VERSIONS;

  /** The wait before a failed follow is given again; it doubles with each failure of a version. */
  static final long FIRST_RETRY_NANOS = 5_000_000_000L;

  /** The longest wait before a failed follow is given again. */
  static final long MAX_RETRY_NANOS = 60_000_000_000L;

  /** A version and the member whose catalog showed it. */
  private record Seen(HeldVersion version, NodeId by) {}

  /**
   * A failed follow of {@code version}: given again at {@code dueNanos}, or waiting for its fetch's
   * outcome when {@code due} is false; {@code waitNanos} is the last wait, doubled at the next
   * failure.
   */
  private record Retry(HeldVersion version, boolean due, long dueNanos, long waitNanos) {}

  private final NodeId self;
  private final GlobMatcher follow;
  private final Function<NodeId, Credential> credentials;
  private final Map<String, HeldVersion> knownWinners = new HashMap<>();
  private final Map<String, Seen> highest = new HashMap<>();
  private final Map<String, Pin> pins = new HashMap<>();
  private final Map<String, LinkedHashMap<ChunkId, Seen>> seen = new HashMap<>();
  private LocalCatalog local = new LocalCatalog(new TreeMap<>(), Map.of());
  private final ArrayDeque<LearnedWinner> winners = new ArrayDeque<>();
  private final ArrayDeque<Follow> follows = new ArrayDeque<>();
  private final ArrayDeque<Follow> logFollows = new ArrayDeque<>(); // given after the others
  private final Map<String, Retry> retries = new HashMap<>(); // <= 1 per followed known winner

  /**
   * @param patterns the names whose winners this node fetches; each also matches the snapshots of
   *     the change log of the names it matches ({@link ChangeLog#SNAPSHOT_PREFIX})
   * @param credentials a publisher's credential as gossip knows it, or null, for {@link Follow}
   */
  public FollowRule(NodeId self, List<String> patterns, Function<NodeId, Credential> credentials) {
    this.self = self;
    List<String> withLogs = new ArrayList<>(patterns);
    for (String p : patterns) {
      withLogs.add(ChangeLog.SNAPSHOT_PREFIX + p); // following a name follows its change log too
    }
    this.follow = new GlobMatcher(withLogs);
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
    retries.entrySet().removeIf(e -> holdsComplete(e.getKey(), e.getValue().version()));
  }

  /**
   * The follow's fetch of {@code version} of {@code name} failed. Unless a newer winner came
   * meanwhile, the follow is given again ({@link #pollFollow}) at the time this returns; {@link
   * Long#MAX_VALUE} when it will not be.
   */
  public long onFollowFailed(String name, HeldVersion version, long nowNanos) {
    HeldVersion known = knownWinners.get(name);
    if (known == null || !same(known, version) || !follow.matches(name)) {
      return Long.MAX_VALUE;
    }
    Retry before = retries.get(name);
    long wait =
        before == null || !same(before.version(), version)
            ? FIRST_RETRY_NANOS
            : Math.min(2 * before.waitNanos(), MAX_RETRY_NANOS);
    retries.put(name, new Retry(version, true, nowNanos + wait, wait));
    return nowNanos + wait;
  }

  /**
   * Gives again the failed follows whose wait is over and whose version is still the winner and not
   * held complete; drops the others.
   */
  public void onTimer(long nowNanos) {
    for (var it = retries.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      String name = e.getKey();
      Retry r = e.getValue();
      HeldVersion known = knownWinners.get(name);
      if (known == null || !same(known, r.version()) || holdsComplete(name, r.version())) {
        it.remove();
      } else if (r.due() && nowNanos - r.dueNanos() >= 0) {
        e.setValue(new Retry(r.version(), false, 0, r.waitNanos()));
        queueFollow(name, r.version());
      }
    }
  }

  /** When {@link #onTimer} next has a follow to give again; {@link Long#MAX_VALUE} when none. */
  public long nextRetryNanos() {
    long next = Long.MAX_VALUE;
    for (Retry r : retries.values()) {
      if (r.due() && (next == Long.MAX_VALUE || r.dueNanos() - next < 0)) {
        next = r.dueNanos();
      }
    }
    return next;
  }

  /** Member {@code owner} announces {@code value} for {@code name}, and the pin it carries. */
  public void onAnnounced(NodeId owner, String name, CatalogValue value) {
    HeldVersion best = null;
    for (HeldVersion v : value.versions()) {
      remember(name, new Seen(v, owner));
      if (best == null || beats(v, best)) {
        best = v;
      }
    }
    // Only the best of the announced versions can be a new winner: learning each in turn would
    // fetch every version a member holds, at once, when a follower first hears of the name.
    Seen h = highest.get(name);
    if (best != null && (h == null || beats(best, h.version()))) {
      highest.put(name, new Seen(best, owner));
      if (activePin(name) == null) {
        learn(name, best, owner);
      }
    }
    if (value.pin() != null) {
      onPin(name, value.pin());
    } else {
      settle(name);
    }
  }

  /** A pin or unpin of {@code name}: it counts when newer than the claim seen so far. */
  public void onPin(String name, Pin claim) {
    if (claim.isNewerThan(pins.get(name))) {
      pins.put(name, claim);
    }
    settle(name);
  }

  /** The next new winner of a name; null when none. */
  public LearnedWinner pollWinner() {
    return winners.poll();
  }

  /**
   * The next winner to fetch now; null when none. Change logs' snapshots come after the others
   * learned so far: a node that learns a new snapshot of a name and of its log in one go starts the
   * snapshot's fetch first, and can pick the log's segments by the offset it covers.
   */
  public Follow pollFollow() {
    Follow f = follows.poll();
    return f != null ? f : logFollows.poll();
  }

  /** The winner of {@code name} as this node knows it; null when it knows no version. */
  public HeldVersion knownWinner(String name) {
    return knownWinners.get(name);
  }

  /** The name's pin in force, null when none (never pinned, or unpinned since). */
  private Pin activePin(String name) {
    Pin p = pins.get(name);
    return p == null || p.isUnpin() ? null : p;
  }

  /** Makes the name's winner what its pin, or else its highest version, says, once seen. */
  private void settle(String name) {
    Pin pin = activePin(name);
    Seen target =
        pin == null
            ? highest.get(name)
            : seen.getOrDefault(name, new LinkedHashMap<>()).get(pin.root());
    if (target == null || (pin != null && !Winners.isPinned(target.version(), pin))) {
      return; // the pin waits for a member holding exactly its root; the winner stays
    }
    HeldVersion known = knownWinners.get(name);
    if (known == null || !same(known, target.version())) {
      learn(name, target.version(), target.by());
    }
  }

  private void learn(String name, HeldVersion v, NodeId by) {
    knownWinners.put(name, v);
    winners.add(new LearnedWinner(name, v, by));
    retries.remove(name);
    queueFollow(name, v);
  }

  private void queueFollow(String name, HeldVersion v) {
    if (follow.matches(name) && !holdsComplete(name, v)) {
      (name.startsWith(ChangeLog.SNAPSHOT_PREFIX) ? logFollows : follows)
          .add(new Follow(name, v, credentials.apply(v.publisher())));
    }
  }

  private void remember(String name, Seen s) {
    LinkedHashMap<ChunkId, Seen> versions =
        seen.computeIfAbsent(
            name,
            k ->
                new LinkedHashMap<>() {
                  @Override
                  protected boolean removeEldestEntry(Map.Entry<ChunkId, Seen> eldest) {
                    return size() > MAX_SEEN_PER_NAME;
                  }
                });
    versions.remove(s.version().root());
    versions.put(s.version().root(), s);
  }

  private static boolean beats(HeldVersion v, HeldVersion other) {
    return Winners.beats(v.version(), v.root(), other.version(), other.root());
  }

  private static boolean same(HeldVersion a, HeldVersion b) {
    return a.version() == b.version() && a.root().equals(b.root());
  }

  private boolean holdsComplete(String name, HeldVersion v) {
    for (HeldVersion h : local.versions().getOrDefault(name, List.of())) {
      if (h.complete() && same(h, v)) {
        return true;
      }
    }
    return false;
  }
}
