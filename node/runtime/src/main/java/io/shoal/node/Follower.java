package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.gossip.HeldVersion;
import io.shoal.node.core.membership.Follow;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * <p>Follows arrive on the gossip loop; a restore's end comes on whatever thread finished it.
 * Starts the fetch and returns. Thread-safe.
 */
final class Follower {
  private static final Logger log = LoggerFactory.getLogger(Follower.class);

  private final BiFunction<CatalogEntry, FileSelection, CompletableFuture<FetchResult>> fetch;
  private final Runnable retention;
  private final BooleanSupplier closed;
  private final Map<String, Integer> restoring = new HashMap<>(); // guarded by this
  private final Map<String, Follow> deferred = new HashMap<>(); // <= 2 per restoring name; this

  Follower(
      BiFunction<CatalogEntry, FileSelection, CompletableFuture<FetchResult>> fetch,
      Runnable retention,
      BooleanSupplier closed) {
    this.fetch = fetch;
    this.retention = retention;
    this.closed = closed;
  }

  void onFollow(Follow f) {
    if (closed.getAsBoolean()) {
      return;
    }
    String name = f.name();
    synchronized (this) {
      if (restoring.containsKey(name) || restoring.containsKey(restoredName(name))) {
        deferred.put(name, f); // the follow rule gives newer winners only: the last is newest
        return;
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
    fetch
        .apply(target, FileSelection.all())
        .whenComplete(
            (r, err) -> {
              if (err != null) {
                log.warn(
                    "following {}: fetching {}@{} failed: {}",
                    name,
                    name,
                    v.version(),
                    err.getMessage());
              } else {
                retention.run();
              }
            });
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
      nextLog = deferred.remove(ChangeLog.SNAPSHOT_PREFIX + name);
    }
    if (next != null) {
      onFollow(next);
    }
    if (nextLog != null) {
      onFollow(nextLog);
    }
  }
}
