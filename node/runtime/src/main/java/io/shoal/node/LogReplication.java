package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.chunkstore.log.LogSegment;
import io.shoal.chunkstore.log.SegmentRef;
import io.shoal.chunkstore.snapshot.FileEntry;
import io.shoal.chunkstore.snapshot.Publication;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.gossip.CatalogSource;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.HeldVersion;
import io.shoal.node.api.PublishCall;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicates change logs between nodes over the snapshot machinery, so that a segment is signed,
 * announced, fetched from several peers at once and verified chunk by chunk as any snapshot is.
 *
 * <p>The writer: each time one of its logs seals a segment, it publishes the log's sealed segments
 * as snapshot {@code _log.NAME} ({@link ChangeLog#SNAPSHOT_PREFIX}), one file per segment named as
 * on disk, at version = the sealed offset. A new version shares every older segment's chunks with
 * the one before, so a follower moves only the new segments.
 *
 * <p>A follower (its {@code --follow} patterns match {@code _log.NAME} when they match {@code
 * NAME}) fetches each new version; once it is held complete, the segments the follower lacks are
 * read from the store, checked against their names (content address, log, first offset) and adopted
 * into the follower's replica ({@link NodeLogs#adopt}), which serves reads and follows as the
 * writer's log does. A version whose segments do not continue the replica (another node wrote the
 * log across a partition, and its version won) replaces the replica.
 *
 * <p>A follower fetches only the segments it lacks ({@link LogFollowing#segments}): a replica that
 * continues the published log moves just what is new, but one that does not (down across several of
 * the name's snapshots, or new), or that ends before a newer snapshot held here when its node has
 * just restarted, takes only the segments from the offset its newest snapshot of the name covers: a
 * restore replays only what follows it. Such a version is held in part, and its segments are
 * adopted once fetched ({@link LogFollowing#fetched}).
 *
 * <p>All work runs on one thread of its own, pending work coalesced per log: at most one
 * publication and one import wait per name. Stopped by {@link #close}.
 */
final class LogReplication implements AutoCloseable {
  /** How often the logs' writers are looked up in the catalogs gossip carries. */
  static final long WRITER_CHECK_MILLIS = 1000;

  /** The writer a replica of an unsigned log (an insecure cluster) is recorded with. */
  static final String UNSIGNED = "unsigned";

  /** Under the data directory: the hard links a publication of a log is made from. */
  static final String STAGING_DIR = "logs-publishing";

  private static final Logger log = LoggerFactory.getLogger(LogReplication.class);

  /** Publishes a snapshot as the node's own (signed and announced). */
  @FunctionalInterface
  interface Publisher {
    Publication.Outcome publish(PublishCall call) throws IOException;
  }

  private final NodeLogs logs;
  private final ChunkStore store;
  private final SnapshotReader reader;
  private final Path staging;
  private final Publisher publisher;
  private final CatalogReader swarm;
  private final ThreadPoolExecutor worker;
  private final Set<String> toPublish = new LinkedHashSet<>(); // guarded by this
  private final Map<String, CatalogEntry> toImport = new LinkedHashMap<>(); // guarded by this
  private final Set<String> toTrim = new LinkedHashSet<>(); // guarded by this
  private boolean draining; // guarded by this
  private boolean checkWriters; // guarded by this
  private final LogFollowing following;

  LogReplication(
      NodeLogs logs,
      ChunkStore store,
      SnapshotReader reader,
      Path dataDir,
      Publisher publisher,
      CatalogReader swarm) {
    this.logs = logs;
    this.swarm = swarm;
    this.store = store;
    this.reader = reader;
    this.staging = dataDir.resolve(STAGING_DIR);
    this.publisher = publisher;
    this.following = new LogFollowing(logs, store, reader, this::importLater);
    this.worker =
        new ThreadPoolExecutor(
            1,
            1,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1),
            r -> {
              Thread t = new Thread(r, "shoal-log-replication");
              t.setDaemon(true);
              return t;
            });
    worker.allowCoreThreadTimeOut(true);
  }

  /**
   * Returns {@code call} if it publishes under a name of the service's own: names that start with
   * {@link ChangeLog#SNAPSHOT_PREFIX} are the change logs'.
   *
   * @throws IllegalArgumentException for a log's snapshot name
   */
  static PublishCall notALogName(PublishCall call) {
    if (call.name() != null && call.name().startsWith(ChangeLog.SNAPSHOT_PREFIX)) {
      throw new IllegalArgumentException(
          "names starting with '"
              + ChangeLog.SNAPSHOT_PREFIX
              + "' carry change logs; append to the log instead ('shoal log append')");
    }
    return call;
  }

  /**
   * Starts publishing: every own log whose sealed segments are not published yet (sealed just
   * before a stop) is published now, and each later seal publishes again.
   */
  void start() {
    logs.onSealed(l -> publishLater(l.name()));
    logs.oneWriter().refreshWith(this::checkWriters);
    logs.every(
        WRITER_CHECK_MILLIS,
        () -> {
          if (logs.own().isEmpty()) {
            return; // nothing to lose to another writer; a new log looks the writers up itself
          }
          synchronized (this) {
            checkWriters = true;
          }
          kick();
        });
    for (ChangeLog l : logs.own()) {
      publishLater(l.name());
    }
    for (CatalogEntry e : store.catalog().entries()) { // fetched, not imported before a stop
      if (e.complete() && store.catalog().latest(e.name()).filter(e::equals).isPresent()) {
        if (e.name().startsWith(ChangeLog.SNAPSHOT_PREFIX)) {
          importLater(e);
        } else {
          held(e);
        }
      }
    }
  }

  /**
   * A snapshot version is now held here complete: a log's, to import; or one that may record the
   * offset of its name's log it covers, before which that log's segments can go.
   */
  void held(CatalogEntry entry) {
    if (!entry.complete()) {
      return;
    }
    if (!entry.name().startsWith(ChangeLog.SNAPSHOT_PREFIX)) {
      if (logs.holdsLog(entry.name())) {
        synchronized (this) {
          toTrim.add(entry.name()); // at most one per log
        }
        kick();
      }
      return;
    }
    following.fetchedNow(entry.name());
    importLater(entry);
  }

  /** What the follow of the logs' snapshots needs ({@link Follower#logs}). */
  Follower.LogFollows following() {
    return following;
  }

  /** Adopts the segments of {@code entry}, a version of a log's snapshot, on the worker. */
  void importLater(CatalogEntry entry) {
    synchronized (this) {
      CatalogEntry pending = toImport.get(entry.name());
      if (pending == null && toImport.size() >= NodeLogs.MAX_LOGS) {
        log.warn("{} log imports wait already; dropping {}", NodeLogs.MAX_LOGS, entry.label());
        return;
      }
      if (pending == null || pending.version() < entry.version()) {
        toImport.put(entry.name(), entry);
      }
    }
    kick();
  }

  private void publishLater(String name) {
    synchronized (this) {
      toPublish.add(name); // at most one per log: bounded by the logs a node holds
    }
    kick();
  }

  private void kick() {
    synchronized (this) {
      if (draining) {
        return;
      }
      draining = true;
    }
    try {
      worker.execute(this::drain);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        draining = false; // stopping
      }
    }
  }

  private void drain() {
    while (true) {
      String publish = null;
      CatalogEntry imported = null;
      boolean check;
      synchronized (this) {
        check = checkWriters;
        checkWriters = false;
      }
      if (check) {
        checkWriters();
      }
      String trim = null;
      synchronized (this) {
        Iterator<String> p = toPublish.iterator();
        Iterator<String> t = toTrim.iterator();
        if (p.hasNext()) {
          publish = p.next();
          p.remove();
        } else if (t.hasNext()) {
          trim = t.next();
          t.remove();
        } else {
          Iterator<CatalogEntry> i = toImport.values().iterator();
          if (i.hasNext()) {
            imported = i.next();
            i.remove();
          } else if (!checkWriters) {
            draining = false;
            return;
          }
        }
      }
      try {
        if (publish == null && trim == null && imported == null) {
          continue; // a writer check came meanwhile
        }
        if (publish != null) {
          publish(publish);
        } else if (trim != null) {
          trim(trim);
        } else {
          importVersion(imported);
        }
      } catch (IOException | RuntimeException e) {
        log.warn(
            "{} failed: {}",
            publish != null
                ? "publishing log " + publish
                : trim != null
                    ? "dropping old segments of log " + trim
                    : "importing " + imported.label(),
            e.getMessage());
      }
    }
  }

  /**
   * Looks up which other nodes publish logs, so that {@link NodeLogs} applies the one-writer rule.
   * A failure leaves what was known.
   */
  private void checkWriters() {
    try {
      logs.oneWriter()
          .otherWriters(swarm.readCatalogs(src -> otherWriters(src, logs.oneWriter().self())));
    } catch (RuntimeException e) {
      log.debug("looking up the logs' writers failed: {}", e.toString());
    }
  }

  /**
   * For each log a member announces, the lowest id (hex) of its publishers other than {@code self}.
   */
  static Map<String, String> otherWriters(CatalogSource src, String self) {
    Map<String, String> out = new HashMap<>();
    for (Map<String, CatalogValue> catalog : src.catalogs().values()) {
      for (Map.Entry<String, CatalogValue> e : catalog.entrySet()) {
        if (!e.getKey().startsWith(ChangeLog.SNAPSHOT_PREFIX)) {
          continue;
        }
        String name = e.getKey().substring(ChangeLog.SNAPSHOT_PREFIX.length());
        for (HeldVersion v : e.getValue().versions()) {
          // Only a signed version names its writer: an unsigned one (an insecure cluster) names
          // whichever node announces it, a replica as well as the writer.
          String writer = v.publisher().toHex();
          if (v.publication().length() > 0 && !writer.equals(self) && src.isTrusted(v)) {
            out.merge(name, writer, (a, b) -> a.compareTo(b) <= 0 ? a : b);
          }
        }
      }
    }
    return out;
  }

  /** Publishes the sealed segments of own log {@code name}, unless that version exists. */
  private void publish(String name) throws IOException {
    ChangeLog l = logs.ownLog(name);
    if (l == null || logs.oneWriter().superseded(name)) {
      return; // not this node's, or it lost the log to a node of lower id: publish no more
    }
    List<SegmentRef> segments = l.sealed();
    if (segments.isEmpty()) {
      return;
    }
    long version = segments.get(segments.size() - 1).endOffset();
    String snapshot = ChangeLog.SNAPSHOT_PREFIX + name;
    Optional<CatalogEntry> newest = store.catalog().latest(snapshot);
    if (newest.isPresent() && newest.get().version() >= version) {
      return;
    }
    Path dir = staging.resolve(name);
    clear(dir);
    Files.createDirectories(dir);
    try {
      for (SegmentRef r : segments) {
        Files.createLink(dir.resolve(ChangeLog.segmentFileName(r)), l.segmentFile(r));
      }
      String path = dir.toAbsolutePath().toString();
      Long covers = following.publishedOffset(name); // for a follower that lacks the snapshot
      publisher.publish(new PublishCall(snapshot, path, version, null, null, null, covers));
    } catch (NoSuchFileException e) {
      publishLater(name); // a segment was dropped meanwhile: publish what is held now
    } finally {
      clear(dir);
    }
  }

  /**
   * Drops the segments of log {@code name} wholly before the offset that the newest but one
   * complete snapshot of {@code name} held here records, if it records one; an own log is published
   * again without them. Not the newest: a reader of the log that is less than one snapshot behind
   * (it applies records as they arrive, while the writer's next snapshot overtakes it) keeps its
   * place instead of having to restore.
   */
  private void trim(String name) throws IOException {
    List<CatalogEntry> complete = // oldest first
        store.catalog().versions(name).stream().filter(CatalogEntry::complete).toList();
    if (complete.size() < 2) {
      return;
    }
    CatalogEntry covering = complete.get(complete.size() - 2);
    long offset = reader.root(covering.root()).logOffset();
    if (offset == SnapshotRoot.NO_LOG_OFFSET) {
      return;
    }
    int dropped = logs.dropBefore(name, offset);
    if (dropped > 0) {
      log.info(
          "log {}: dropped {} segments before offset {}, which {} (the newest snapshot but one) covers",
          name,
          dropped,
          offset,
          covering.label());
      if (logs.ownLog(name) != null) {
        publishLater(name);
      }
    }
  }

  /** Adopts the segments of {@code entry}, a log's snapshot, that this node's replica lacks. */
  private void importVersion(CatalogEntry entry) throws IOException {
    String name = LogNames.check(entry.name().substring(ChangeLog.SNAPSHOT_PREFIX.length()));
    String writer =
        entry.provenance().publisher().isEmpty() ? UNSIGNED : entry.provenance().publisher();
    if (logs.ownLog(name) != null) {
      log.warn(
          "log {}: node {} published {}@{} but this node writes the log itself; not importing it",
          name,
          writer,
          entry.name(),
          entry.version());
      return;
    }
    String replicated = logs.writerOf(name);
    if (replicated != null && !replicated.equals(writer) && writer.compareTo(replicated) > 0) {
      log.info(
          "log {}: keeping node {}'s log; node {}, of higher id, wrote it too (a partition)",
          name,
          replicated,
          writer);
      return;
    }
    SnapshotRoot root = reader.root(entry.root());
    List<FileEntry> files = new ArrayList<>();
    for (FileEntry f : reader.fileTable(root).entries()) {
      if (!f.directory()) {
        files.add(f);
      }
    }
    if (!entry.complete()) { // fetched in part: the segments from some offset on
      files = files.subList(following.heldFrom(root, files), files.size());
    }
    following.startAfresh(name, writer, files);
    try {
      adoptAll(name, writer, root, files);
    } catch (IllegalArgumentException e) {
      log.warn(
          "log {}: {}@{} does not continue this node's replica ({}); replacing the replica",
          name,
          entry.name(),
          entry.version(),
          e.getMessage());
      logs.resetReplica(name, writer);
      adoptAll(name, writer, root, files);
    }
  }

  private void adoptAll(String name, String writer, SnapshotRoot root, List<FileEntry> files)
      throws IOException {
    int added = 0;
    for (FileEntry f : files) {
      ChangeLog.SegmentName s =
          ChangeLog.parseSegmentFileName(f.path())
              .orElseThrow(() -> new FormatException("not a log segment: " + f.path()));
      if (logs.holds(name, s.firstOffset(), s.id())) {
        continue;
      }
      if (f.sizeBytes() > LogSegment.MAX_SEGMENT_BYTES) {
        throw new FormatException(f.path() + " is larger than any segment");
      }
      byte[] bytes;
      try (InputStream in = reader.openFile(root, f)) {
        bytes = in.readNBytes((int) f.sizeBytes());
      }
      LogSegment segment = LogSegment.decode(bytes, s.id());
      if (segment.firstOffset() != s.firstOffset() || !segment.name().equals(name)) {
        throw new FormatException(f.path() + " holds another place: " + segment.name());
      }
      if (logs.adopt(name, writer, segment)) {
        added++;
      }
    }
    if (added > 0) {
      log.debug("log {}: adopted {} segments from node {}", name, added, writer);
    }
  }

  private static void clear(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  /** Stops the worker; work not started is dropped (a restart publishes what is unpublished). */
  @Override
  public void close() {
    worker.shutdownNow();
    try {
      worker.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
