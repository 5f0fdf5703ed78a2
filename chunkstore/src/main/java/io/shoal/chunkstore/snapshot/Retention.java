package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Retention (keep the newest K versions of each name) and garbage collection (drop every chunk no
 * catalog entry reaches).
 */
public final class Retention {
  /**
   * What a run removed.
   *
   * @param versionsDropped catalog entries removed
   * @param chunksKept chunks reachable from the catalog, or -1 when nothing was collected
   * @param bytesReclaimed payload bytes of the chunks removed
   */
  public record Result(List<CatalogEntry> versionsDropped, long chunksKept, long bytesReclaimed) {}

  private Retention() {}

  /**
   * Drops all but the newest {@code keep} versions of every name, then, if it dropped any, collects
   * garbage.
   */
  public static Result apply(SnapshotReader reader, int keep) throws IOException {
    return apply(reader, keep, e -> false);
  }

  /**
   * As {@link #apply(SnapshotReader, int)}, never dropping the versions {@code pinned} names (the
   * version a pin makes the swarm hold, however old).
   */
  public static Result apply(SnapshotReader reader, int keep, Predicate<CatalogEntry> pinned)
      throws IOException {
    if (keep < 1) {
      throw new IllegalArgumentException("keep " + keep + ": at least one version must stay");
    }
    ChunkStore store = reader.store();
    List<CatalogEntry> dropped = new ArrayList<>();
    for (String name : names(store)) {
      List<CatalogEntry> versions = store.catalog().versions(name);
      for (int i = 0; i < versions.size() - keep; i++) {
        CatalogEntry e = versions.get(i);
        if (pinned.test(e)) {
          continue;
        }
        store.catalog().remove(e.name(), e.version());
        dropped.add(e);
      }
    }
    if (dropped.isEmpty()) {
      return new Result(List.of(), -1, 0);
    }
    int[] live = {0};
    long reclaimed = store.retainReachable(() -> liveSet(reader, live));
    return new Result(dropped, live[0], reclaimed);
  }

  /**
   * What {@code shoal gc} does: with {@code keep}, drops all but the newest {@code keep} versions
   * of every name; then collects every chunk no catalog entry reaches (also when no version was
   * dropped, unlike {@link #apply}).
   */
  public static Result gc(SnapshotReader reader, Integer keep) throws IOException {
    Result r = keep == null ? collectGarbage(reader) : apply(reader, keep);
    return keep != null && r.versionsDropped().isEmpty() ? collectGarbage(reader) : r;
  }

  /** Collects every chunk that no catalog entry reaches. */
  public static Result collectGarbage(SnapshotReader reader) throws IOException {
    int[] live = {0};
    long reclaimed = reader.store().retainReachable(() -> liveSet(reader, live));
    return new Result(List.of(), live[0], reclaimed);
  }

  /** The reachable chunks, computed inside the collection; their count goes to {@code count}. */
  private static java.util.function.Predicate<ChunkId> liveSet(SnapshotReader reader, int[] count)
      throws IOException {
    Set<ChunkId> live = reachable(reader);
    count[0] = live.size();
    return live::contains;
  }

  /**
   * Every chunk reachable from the catalog. For a partial snapshot, the parts not yet fetched are
   * skipped: what it has is kept, what it lacks cannot be walked.
   */
  static Set<ChunkId> reachable(SnapshotReader reader) throws IOException {
    ChunkStore store = reader.store();
    Set<ChunkId> live = new HashSet<>();
    for (CatalogEntry e : store.catalog().entries()) {
      if (!store.contains(e.root())) {
        continue;
      }
      live.add(e.root());
      SnapshotRoot root = reader.root(e.root());
      for (TreeRef tree : List.of(root.data(), root.fileTable())) {
        reader.walk(
            tree, (id, height, offset, span) -> live.add(id) && height > 0 && store.contains(id));
      }
    }
    return live;
  }

  private static Set<String> names(ChunkStore store) {
    Set<String> names = new HashSet<>();
    store.catalog().entries().forEach(e -> names.add(e.name()));
    return names;
  }
}
