package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.chunkstore.snapshot.FileEntry;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.chunkstore.snapshot.FileTable;
import io.shoal.chunkstore.snapshot.LeafCursor;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.node.api.LogInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which segments of a change log's published snapshot ({@code _log.NAME}) a follower fetches, and
 * when: a replica that continues the published log moves only what is new; one that does not (its
 * node was down across several of the name's snapshots, or it is new) takes only the segments from
 * the offset its newest snapshot of the name covers ({@link #lacking}). So does a stale replica
 * (its node restarted and has fetched no version of the log since) that continues the log but ends
 * before the offset a snapshot held here complete covers: a restore replays only what follows that
 * offset, and the segments before it are of no use to one. Each version of the log's snapshot
 * records the offset its writer's newest snapshot of the name covered ({@link #publishedOffset}),
 * which counts as one held here ({@link #publishedWith}): gossip may bring the log's version before
 * the name's. Such a version is held in part; its segments are adopted once it is fetched ({@link
 * #fetched}), from the longest run of them here that ends with the newest ({@link #heldFrom}),
 * replacing a replica they do not continue ({@link #startAfresh}).
 *
 * <p>Thread-safe: called from the follow's threads and the replication worker.
 */
final class LogFollowing implements Follower.LogFollows {
  private static final Logger log = LoggerFactory.getLogger(LogFollowing.class);

  private final NodeLogs logs;
  private final ChunkStore store;
  private final SnapshotReader reader;
  private final Consumer<CatalogEntry> importLater;
  // Logs a version was fetched for since the node started: at most NodeLogs.MAX_LOGS names.
  private final Set<String> fetchedSinceStart = ConcurrentHashMap.newKeySet();

  LogFollowing(
      NodeLogs logs, ChunkStore store, SnapshotReader reader, Consumer<CatalogEntry> importLater) {
    this.logs = logs;
    this.store = store;
    this.reader = reader;
    this.importLater = importLater;
  }

  /**
   * A version of a log's snapshot that the follow fetched in part ({@link #segments}): its segments
   * are adopted now that they are here. One fetched whole comes through {@link
   * LogReplication#held}.
   */
  @Override
  public void fetched(CatalogEntry target) {
    Optional<CatalogEntry> e = store.catalog().get(target.name(), target.version());
    if (e.isPresent() && !e.get().complete() && e.get().root().equals(target.root())) {
      fetchedNow(target.name());
      importLater.accept(e.get());
    }
  }

  /** A version of log snapshot {@code logSnapshot} was fetched since the node started. */
  void fetchedNow(String logSnapshot) {
    fetchedSinceStart.add(logSnapshot.substring(ChangeLog.SNAPSHOT_PREFIX.length()));
  }

  /**
   * Until a version of log {@code name} is fetched after the node starts, its follow waits while
   * the follow fetches a version of {@code name}: that version's offset tells which segments the
   * replica lacks, when it does not continue the published log.
   */
  @Override
  public boolean waitsForSnapshot(String name) {
    return stale(name) && logs.ownLog(name) == null;
  }

  /** Whether no version of log {@code name} was fetched since the node started. */
  private boolean stale(String name) {
    return !fetchedSinceStart.contains(name);
  }

  /**
   * The segments of {@code target}, a version of a log's snapshot, to fetch, chosen once its file
   * table is here ({@link #lacking}); a replica of another writer's log counts as none.
   */
  @Override
  public FileSelection segments(CatalogEntry target) {
    String name = target.name().substring(ChangeLog.SNAPSHOT_PREFIX.length());
    String publisher = target.provenance().publisher();
    String writer = publisher.isEmpty() ? LogReplication.UNSIGNED : publisher;
    return FileSelection.chosen(
        "the segments of log " + name + " this node lacks",
        table -> {
          long published = publishedWith(target);
          long end = writer.equals(logs.writerOf(name)) ? replicaEnd(name) : -1;
          if (end >= 0 && stale(name) && Math.max(coveredOffset(name, true), published) > end) {
            end = -1; // behind a snapshot held complete: start at its offset, as a new replica does
          }
          return lacking(table, end, Math.max(coveredOffset(name, false), published));
        });
  }

  /**
   * What a version of the snapshot of own log {@code name} records as its log offset: the offset
   * the newest snapshot of {@code name} held here complete covers, or null when none records one. A
   * follower reads it back ({@link #publishedWith}).
   */
  Long publishedOffset(String name) {
    long covered = coveredOffset(name, true);
    return covered == SnapshotRoot.NO_LOG_OFFSET ? null : covered;
  }

  /**
   * The offset that the newest snapshot of the log's name its writer held covered when it published
   * {@code target}, a version of the log's snapshot (recorded as the version's log offset), or
   * {@link SnapshotRoot#NO_LOG_OFFSET}. It tells a node that has not yet heard of that snapshot
   * which segments a restore of it will not replay. The root is here when the file table is.
   */
  private long publishedWith(CatalogEntry target) {
    try {
      return reader.root(target.root()).logOffset();
    } catch (IOException | RuntimeException e) {
      return SnapshotRoot.NO_LOG_OFFSET;
    }
  }

  /**
   * Of a log's published segments, sorted by name (so by first offset), those a follower needs:
   * from the one where its replica ends, when one starts there (it continues the log); else, when
   * its newest snapshot of the name tells an offset, from the one holding offset {@code covered}
   * (all if it comes before them); else all, and all when they are not all segments.
   *
   * @param end where the replica ends, or -1 when there is none
   * @param covered the offset the newest snapshot of the log's name here covers, or {@link
   *     SnapshotRoot#NO_LOG_OFFSET}
   */
  static List<FileEntry> lacking(FileTable table, long end, long covered) {
    List<FileEntry> files = new ArrayList<>();
    List<Long> firsts = new ArrayList<>();
    for (FileEntry f : table.entries()) {
      if (f.directory()) {
        continue;
      }
      Optional<ChangeLog.SegmentName> s = ChangeLog.parseSegmentFileName(f.path());
      if (s.isEmpty()) {
        return table.entries();
      }
      files.add(f);
      firsts.add(s.get().firstOffset());
    }
    int at = end < 0 ? -1 : firsts.indexOf(end);
    if (at >= 0) {
      return files.subList(at, files.size());
    }
    if (covered == SnapshotRoot.NO_LOG_OFFSET) {
      return files;
    }
    int from = 0;
    for (int i = 0; i < firsts.size(); i++) {
      if (firsts.get(i) <= covered) {
        from = i;
      }
    }
    return files.subList(from, files.size());
  }

  /** Where this node's replica of {@code name} ends, or -1 when it holds none. */
  private long replicaEnd(String name) {
    return logs.list().stream()
        .filter(i -> i.name().equals(name) && i.segments() > 0)
        .mapToLong(LogInfo::sealed)
        .findFirst()
        .orElse(-1);
  }

  /**
   * The log offset the newest version of {@code name} here covers, held whole or, unless {@code
   * complete}, in part (its root here: a fetch of it runs); or {@link SnapshotRoot#NO_LOG_OFFSET}.
   */
  private long coveredOffset(String name, boolean complete) {
    List<CatalogEntry> versions = store.catalog().versions(name); // oldest first
    for (int i = versions.size() - 1; i >= 0; i--) {
      if (complete && !versions.get(i).complete()) {
        continue;
      }
      try {
        long offset = reader.root(versions.get(i).root()).logOffset();
        if (offset != SnapshotRoot.NO_LOG_OFFSET) {
          return offset;
        }
      } catch (IOException | RuntimeException e) {
        // its root is not here (yet): an older version may tell
      }
    }
    return SnapshotRoot.NO_LOG_OFFSET;
  }

  /**
   * Empties this node's replica of {@code name} when {@code files}, the segments of a version of
   * its snapshot fetched here, start past where the replica ends: the follow skipped the segments a
   * snapshot covers ({@link #segments}), or the writer dropped them, and the replica goes on from
   * them.
   */
  void startAfresh(String name, String writer, List<FileEntry> files) throws IOException {
    long end = // of the replica, even one whose segments the node's trim dropped
        !writer.equals(logs.writerOf(name))
            ? -1
            : logs.list().stream()
                .filter(i -> i.name().equals(name))
                .mapToLong(LogInfo::end)
                .findFirst()
                .orElse(-1);
    long first =
        files.isEmpty()
            ? -1
            : ChangeLog.parseSegmentFileName(files.get(0).path())
                .map(ChangeLog.SegmentName::firstOffset)
                .orElse(-1L);
    if (end >= 0 && first > end) {
      log.info(
          "log {}: taking the segments from offset {} on; the replica here ended at {}, before the"
              + " offset a newer snapshot covers",
          name,
          first,
          end);
      logs.resetReplica(name, writer);
    }
  }

  /** Where the longest run of {@code files} ending with the last whose data is all here starts. */
  int heldFrom(SnapshotRoot root, List<FileEntry> files) {
    for (int i = files.size() - 1; i >= 0; i--) {
      if (!isHeld(root, files.get(i))) {
        return i + 1;
      }
    }
    return 0;
  }

  private boolean isHeld(SnapshotRoot root, FileEntry f) {
    try {
      LeafCursor leaves = new LeafCursor(reader, root.data(), f.dataOffset());
      while (f.sizeBytes() > 0 && leaves.next() && leaves.offset() < f.dataEnd()) {
        if (!store.contains(leaves.id())) {
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false; // the index above it is not here either
    }
  }
}
