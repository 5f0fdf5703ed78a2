package io.shoal.node;

import io.prometheus.metrics.core.metrics.Counter;
import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.gossip.HeldVersion;
import io.shoal.node.core.membership.Follow;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the follow rule's decisions ({@link Follow}): fetches the new winner, then applies
 * retention. While a restore of a name runs ({@link #restoring}), the new winners of that name and
 * of its change log ({@code _log.NAME}) wait, so that the restore has the links and the disk to
 * itself; the newest of each is fetched when it ends. The log waits too because its segments before
 * the offset the restored snapshot covers are of no use to the restore: by the time it ends, the
 * writer has often dropped them from its log (it keeps the log from its newest snapshot but one),
 * and the log's next version moves only what comes after them.
 *
 * <p>A change log's snapshot is fetched in part ({@link LogFollows#segments}): a node whose replica
 * does not continue the writer's published log, or is stale (nothing adopted since the node
 * started, or none) and ends before the offset its newest snapshot of the name covers, takes only
 * the segments from that offset. So that the offset is known, a stale replica waits while the
 * follow fetches a new version of the name.
 *
 * <p>A follow whose fetch failed goes back to the follow rule that gave it ({@link Failures}),
 * which gives it again after a wait while its version is still the newest.
 *
 * <p>Follows arrive on the gossip loop; a restore's end comes on whatever thread finished it.
 * Starts the fetch and returns. Thread-safe.
 */
final class Follower {
  private static final Logger log = LoggerFactory.getLogger(Follower.class);

  /** What following a change log's snapshot needs from the node's logs ({@link LogReplication}). */
  interface LogFollows {
    /** The files of {@code target}, a version of a log's snapshot ({@code _log.NAME}), to fetch. */
    FileSelection segments(CatalogEntry target);

    /** Whether the follow of log {@code name} waits while a version of {@code name} is fetched. */
    boolean waitsForSnapshot(String name);

    /** A version of a log's snapshot was fetched, complete or in part. */
    void fetched(CatalogEntry entry);
  }

  /** Where a failed follow goes back to: the driver of the follow rule that gave it. */
  interface Failures {
    /** The follow's fetch of {@code version} of {@code name} failed (any thread). */
    void onFollowFailed(String name, HeldVersion version);
  }

  /** Hands each failure to {@code to}, counting it on {@code counter} first. */
  static Failures counted(Failures to, Counter counter) {
    return (name, version) -> {
      counter.inc();
      to.onFollowFailed(name, version);
    };
  }

  private final BiFunction<CatalogEntry, FileSelection, CompletableFuture<FetchResult>> fetch;
  private final Runnable retention;
  private final BooleanSupplier closed;
  private final Failures failures;
  private volatile LogFollows logs;
  private final Map<String, Integer> restoring = new HashMap<>(); // guarded by this
  private final Map<String, Integer> fetching = new HashMap<>(); // follow fetches running; this
  private final Map<String, Follow> deferred = new HashMap<>(); // <= 2 per waiting name; this

  Follower(
      BiFunction<CatalogEntry, FileSelection, CompletableFuture<FetchResult>> fetch,
      Runnable retention,
      BooleanSupplier closed,
      Failures failures) {
    this.fetch = fetch;
    this.retention = retention;
    this.closed = closed;
    this.failures = failures;
  }

  /** Follows of change logs' snapshots go through {@code l} from now on. */
  void logs(LogFollows l) {
    this.logs = l;
  }

  void onFollow(Follow f) {
    if (closed.getAsBoolean()) {
      return;
    }
    String name = f.name();
    String logged = restoredName(name);
    boolean isLog = !logged.equals(name);
    LogFollows l = logs;
    boolean waits = isLog && l != null && l.waitsForSnapshot(logged);
    synchronized (this) {
      if (restoring.containsKey(name)
          || restoring.containsKey(logged)
          || (waits && fetching.containsKey(logged))) {
        deferred.put(name, f); // the follow rule gives newer winners only: the last is newest
        return;
      }
      if (!isLog) {
        fetching.merge(name, 1, Integer::sum);
      }
    }
    HeldVersion v = f.version();
    CatalogEntry target =
        new CatalogEntry(
            name,
            v.version(),
            v.root(),
            false,
            v.sizeBytes(),
            0,
            CatalogAnnouncer.provenanceOf(v, f.publisherCredential()));
    CompletableFuture<FetchResult> fetched;
    try {
      fetched = fetch.apply(target, isLog && l != null ? l.segments(target) : FileSelection.all());
    } catch (RuntimeException e) {
      fetched = CompletableFuture.failedFuture(e);
    }
    fetched.whenComplete(
        (r, err) -> {
          if (err != null) {
            Throwable why =
                err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            log.warn(
                "following {}: fetching {}@{} failed: {}; trying again later",
                name,
                name,
                v.version(),
                why.getMessage());
            if (!closed.getAsBoolean()) {
              failures.onFollowFailed(name, v);
            }
          } else {
            if (isLog && l != null) {
              l.fetched(target);
            }
            retention.run();
          }
          if (!isLog) {
            fetchEnded(name);
          }
        });
  }

  /** The follow's fetch of a version of {@code name} ended: a log waiting for it goes on. */
  private void fetchEnded(String name) {
    Follow next;
    synchronized (this) {
      if (fetching.computeIfPresent(name, (n, count) -> count > 1 ? count - 1 : null) != null
          || restoring.containsKey(name)) {
        return;
      }
      next = deferred.remove(ChangeLog.SNAPSHOT_PREFIX + name);
    }
    if (next != null) {
      onFollow(next);
    }
  }

  /** For a log's snapshot name, the name of the log; else {@code name}. */
  private static String restoredName(String name) {
    return name.startsWith(ChangeLog.SNAPSHOT_PREFIX)
        ? name.substring(ChangeLog.SNAPSHOT_PREFIX.length())
        : name;
  }

  /**
   * A restore of {@code name} starts: the follows of the name and of its log wait until it ends.
   * Returns what ends it, to be run once when the restore is done, whether it succeeded or not.
   */
  Runnable restoring(String name) {
    synchronized (this) {
      restoring.merge(name, 1, Integer::sum);
    }
    return () -> ended(name);
  }

  private void ended(String name) {
    Follow next;
    Follow nextLog;
    synchronized (this) {
      if (restoring.computeIfPresent(name, (n, count) -> count > 1 ? count - 1 : null) != null) {
        return; // another restore of the name still runs
      }
      next = deferred.remove(name);
      nextLog = deferred.remove(ChangeLog.SNAPSHOT_PREFIX + name); // may wait on for a fetch
    }
    if (next != null) {
      onFollow(next);
    }
    if (nextLog != null) {
      onFollow(nextLog);
    }
  }
}
