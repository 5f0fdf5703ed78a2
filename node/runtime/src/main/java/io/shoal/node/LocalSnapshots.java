package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.IoErrors;
import io.shoal.chunkstore.Progress;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.chunkstore.snapshot.Materializer;
import io.shoal.chunkstore.snapshot.Publication;
import io.shoal.chunkstore.snapshot.PublishHistory;
import io.shoal.chunkstore.snapshot.RestoredFiles;
import io.shoal.chunkstore.snapshot.Retention;
import io.shoal.chunkstore.snapshot.SnapshotLookup;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.gossip.NodeId;
import io.shoal.node.api.Collected;
import io.shoal.node.api.FilePage;
import io.shoal.node.api.GcCall;
import io.shoal.node.api.GetCall;
import io.shoal.node.api.PublishCall;
import io.shoal.node.api.Removed;
import io.shoal.node.api.RmCall;
import io.shoal.node.api.Written;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.RetryLaterException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots and files on this machine: publishing a path as the next version of a name (then
 * announcing it), and writing a snapshot this node holds (or fetches first) out to a path.
 * Blocking; runs on the caller's thread.
 */
final class LocalSnapshots {
  private static final Logger log = LoggerFactory.getLogger(LocalSnapshots.class);

  /** Versions of each name a publication keeps when the call does not say. */
  static final int DEFAULT_KEEP = 10;

  /** The directory, in the store's, where a restore's files are linked while it keeps them. */
  static final String KEEPING_DIR = "keeping";

  /** When a gc refused because fetches run is told to try again. */
  static final long GC_RETRY_AFTER_SECONDS = 10;

  private final ChunkStore store;
  private final SnapshotReader reader;
  private final NodeId self;
  private final boolean requireSha256;
  final SnapshotResolver resolver; // package-private: NodeRoutes pins through its driver
  private final CatalogAnnouncer announcer;
  private final Follower follower;
  private final NodeMetrics metrics;

  /** What this node's latest publication of each name read, so the next skips unchanged files. */
  private final PublishHistory history = PublishHistory.create();

  LocalSnapshots(
      ChunkStore store,
      SnapshotReader reader,
      NodeId self,
      boolean requireSha256,
      SnapshotResolver resolver,
      CatalogAnnouncer announcer,
      Follower follower,
      NodeMetrics metrics) {
    this.metrics = metrics;
    this.store = store;
    this.reader = reader;
    this.self = self;
    this.requireSha256 = requireSha256;
    this.resolver = resolver;
    this.announcer = announcer;
    this.follower = follower;
    // Links a restore left when the node stopped: the store holds that version partial.
    store.directory().ifPresent(d -> Materializer.deleteTreeQuietly(d.resolve(KEEPING_DIR)));
  }

  /** Publishes a file or directory on this machine and announces it to the cluster. */
  Publication.Outcome publish(PublishCall call) throws IOException {
    if (call.name() == null || call.path() == null) {
      throw new IllegalArgumentException("publish needs a name and a path");
    }
    Path path = Path.of(call.path());
    if (!path.isAbsolute()) {
      throw new IllegalArgumentException("path must be absolute: " + call.path());
    }
    HashAlgorithm hash =
        new HashRequirement(requireSha256)
            .forPublishing(call.hash() == null ? null : HashAlgorithm.parse(call.hash()));
    int keep = call.keep() == null ? DEFAULT_KEEP : call.keep();
    Publication.Outcome outcome =
        Publication.publish(
            store,
            path,
            call.name(),
            call.version() != null ? call.version() : resolver.nextVersion(call.name()),
            hash,
            keep,
            self.toHex(),
            System.currentTimeMillis(),
            Progress.none(),
            call.forced(),
            call.logOffsetOrNone(),
            history);
    if (outcome.unchanged()) {
      log.info(
          "publish {}: content unchanged since {}@{}; no version made",
          outcome.name(),
          outcome.name(),
          outcome.version());
      return outcome;
    }
    log.atLevel(LogLines.level(outcome.name()))
        .log(
            "published {}@{} (root {}, {} bytes, {} new, {} of unchanged files not read)",
            outcome.name(),
            outcome.version(),
            outcome.root().substring(0, 12),
            outcome.sizeBytes(),
            outcome.newBytes(),
            outcome.reusedBytes());
    announcer.announce();
    return outcome;
  }

  /**
   * Drops old versions (with {@code call.keep()}) and reclaims every chunk no catalog entry
   * reaches, then announces what is left. Refused while fetches run ({@link FetchGate}): chunks
   * they commit after the live set is walked would be collected under them.
   */
  Collected collect(GcCall call, FetchGate gate) throws IOException {
    Integer keep = call.keep();
    if (keep != null && keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1, not " + keep);
    }
    if (!gate.tryBeginCollection()) {
      throw new RetryLaterException(
          gate.running() + " fetch(es) in progress; gc runs when none is", GC_RETRY_AFTER_SECONDS);
    }
    Retention.Result r;
    try {
      r = Retention.gc(reader, keep);
    } finally {
      gate.endCollection();
    }
    var stats = store.stats();
    Collected c =
        new Collected(
            r.versionsDropped().size(), r.bytesReclaimed(), stats.chunkCount(), stats.chunkBytes());
    log.info(
        "gc: dropped {} version(s), reclaimed {} bytes; {} chunks left",
        c.versionsDropped(),
        c.bytesReclaimed(),
        c.chunksLeft());
    if (c.versionsDropped() > 0) {
      announcer.announce();
    }
    return c;
  }

  /**
   * Removes {@code call.ref()} (one version, or every version of a name) from the catalog and
   * announces what is left; gc then reclaims the chunks. Refused while a fetch of the name runs: it
   * would record the version again when it ends.
   */
  Removed remove(RmCall call, List<TransferView> active) throws IOException {
    if (call.ref() == null) {
      throw new IllegalArgumentException("rm needs NAME or NAME@VERSION");
    }
    SnapshotRef ref = SnapshotRef.parse(call.ref());
    for (TransferView v : active) {
      if (v.name().equals(ref.name())) {
        throw new RetryLaterException(
            "a fetch of " + v.name() + "@" + v.version() + " is in progress; rm runs when it ends",
            GC_RETRY_AFTER_SECONDS);
      }
    }
    List<CatalogEntry> removed = SnapshotLookup.remove(store.catalog(), ref);
    log.info("rm: removed {} from the catalog", removed.stream().map(CatalogEntry::label).toList());
    announcer.announce();
    return Removed.of(ref.name(), removed);
  }

  /** A page of the file table of {@code ref}, from entry {@code from} ({@link FilePage#read}). */
  FilePage files(String ref, String from) throws IOException {
    try {
      return FilePage.read(reader, ref, from == null ? 0 : Long.parseLong(from));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("from must be a number, not '" + from + "'", e);
    }
  }

  /**
   * Writes a snapshot to a path on this machine, fetching it first unless held; follows of its name
   * wait meanwhile ({@link Follower#restoring}). A fetch writes the files as the data arrives, as
   * well as into the store ({@link TransferService#fetchMirrored}), on {@code mirrorWriter}.
   */
  Written materialize(GetCall call, Executor mirrorWriter) throws IOException {
    checkGet(call);
    long start = System.nanoTime();
    SnapshotRef ref = SnapshotRef.parse(call.ref());
    Materializer.Options options = options(call);
    Materializer.checkTargetEarly(Path.of(call.path()), call.force());
    boolean keepAfter = keepsAfter(call);
    AtomicReference<Runnable> done = new AtomicReference<>(follower.restoring(ref.name()));
    try (DirectOutput mirror = new DirectOutput(Path.of(call.path()), options, mirrorWriter)) {
      ShoalNode.Fetched f = resolver.fetchInto(ref, Duration.ZERO, mirror, true, keepAfter);
      return write(call, fetched(f, keepAfter, done), mirror, start, keepAfter, done);
    } finally {
      end(done);
    }
  }

  /**
   * As {@link #materialize}, holding no thread while the fetch runs: the snapshot is written on
   * {@code worker} once held.
   */
  CompletableFuture<Written> materializeAsync(
      GetCall call, Executor worker, Executor mirrorWriter) {
    checkGet(call);
    long start = System.nanoTime();
    SnapshotRef ref = SnapshotRef.parse(call.ref());
    Materializer.Options options = options(call);
    try {
      Materializer.checkTargetEarly(Path.of(call.path()), call.force());
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    boolean keepAfter = keepsAfter(call);
    AtomicReference<Runnable> done = new AtomicReference<>(follower.restoring(ref.name()));
    DirectOutput mirror = new DirectOutput(Path.of(call.path()), options, mirrorWriter);
    CompletableFuture<Written> written;
    try {
      written =
          resolver
              .fetchAsync(ref, options.selection(), mirror, keepAfter)
              .thenApply(f -> fetched(f, keepAfter, done))
              .thenApplyAsync(
                  f -> {
                    try {
                      return write(call, f, mirror, start, keepAfter, done);
                    } catch (IOException e) {
                      throw new CompletionException(e);
                    }
                  },
                  worker);
    } catch (RuntimeException e) {
      mirror.close();
      end(done);
      throw e;
    }
    written.whenComplete(
        (w, e) -> {
          mirror.close();
          end(done);
        });
    return written;
  }

  /**
   * Whether a restore for {@code call} writes the data it fetches to the files only, and keeps it
   * in the store once they are in place ({@link #keepAfterwards}): for the whole snapshot, to the
   * file system of the store's directory, where the files can be hard-linked. Else the store takes
   * each chunk as it arrives, as well as the files.
   */
  private boolean keepsAfter(GetCall call) {
    Optional<Path> dir = store.directory();
    if (dir.isEmpty() || (call.paths() != null && !call.paths().isEmpty())) {
      return false;
    }
    try {
      Path p = Path.of(call.path()).toAbsolutePath();
      while (p != null && !Files.exists(p)) {
        p = p.getParent();
      }
      return p != null && Files.getFileStore(p).equals(Files.getFileStore(dir.get()));
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /**
   * Links the files at {@code restored}, whose data the fetch left out of the store, and keeps that
   * data in the store on a worker, which then runs what ends the restore ({@code done}): follows of
   * the name wait until the store holds the version, and do not fetch it a second time meanwhile.
   */
  private void keepAfterwards(CatalogEntry entry, Path restored, AtomicReference<Runnable> done) {
    Path staging = keepingDir().resolve(entry.root().toShortHex() + "-" + System.nanoTime());
    RestoredFiles files;
    try {
      files = RestoredFiles.link(reader, reader.root(entry.root()), restored, staging);
    } catch (IOException e) {
      log.warn(
          "{} stays partial in the store: linking the restored files failed: {}",
          entry.label(),
          IoErrors.describe(e));
      return;
    }
    Runnable end = done.getAndSet(null);
    resolver.keepRestored(entry, files, end == null ? () -> {} : end);
  }

  /** Where restored files are linked while the store keeps their data; empty but for that. */
  private Path keepingDir() {
    return store.directory().orElseThrow().resolve(KEEPING_DIR);
  }

  /**
   * A restore's fetch returned {@code f}: when it may have left data to the restore's files, the
   * restore's end ({@code done}) also tells the callers that joined the fetch, who wait for the
   * keep ({@link SnapshotResolver#keepEnded}), whatever happens from here on. Returns {@code f}.
   */
  private ShoalNode.Fetched fetched(
      ShoalNode.Fetched f, boolean keepAfter, AtomicReference<Runnable> done) {
    if (f.result() != null && keepAfter) {
      done.updateAndGet(end -> () -> endKeeping(end, f.entry()));
    }
    return f;
  }

  private void endKeeping(Runnable end, CatalogEntry entry) {
    try {
      if (end != null) {
        end.run();
      }
    } finally {
      resolver.keepEnded(entry);
    }
  }

  /** Runs what ends a restore, unless it was handed on ({@link #keepAfterwards}). */
  private static void end(AtomicReference<Runnable> done) {
    Runnable r = done.getAndSet(null);
    if (r != null) {
      r.run();
    }
  }

  private static Materializer.Options options(GetCall call) {
    return Materializer.Options.defaults()
        .withOverwrite(call.force())
        .withSync(call.sync())
        .withSelection(FileSelection.of(call.paths()));
  }

  private static void checkGet(GetCall call) {
    if (call.ref() == null || call.path() == null || !Path.of(call.path()).isAbsolute()) {
      throw new IllegalArgumentException("get needs a snapshot and an absolute path");
    }
  }

  /**
   * Commits the mirror a fetch wrote, its gaps filled from the store; or, when nothing was fetched
   * into it (the snapshot was held, or a running fetch was joined), writes the snapshot out of the
   * store. {@code keepAfter} is what {@link #keepsAfter} said when the fetch began.
   */
  private Written write(
      GetCall call,
      ShoalNode.Fetched fetched,
      DirectOutput mirror,
      long start,
      boolean keepAfter,
      AtomicReference<Runnable> done)
      throws IOException {
    CatalogEntry entry = fetched.entry();
    Materializer.Result result =
        mirror.fillFrom(store)
            ? mirror.commit()
            : Materializer.materialize(
                reader, entry.root(), Path.of(call.path()), options(call), Progress.none());
    if (fetched.result() != null && !entry.complete() && keepAfter) {
      keepAfterwards(entry, Path.of(call.path()), done); // the fetch left the data to the files
    }
    long asFetched = Math.min(mirror.mirroredBytes(), result.bytes());
    metrics.restoreWrittenBytes.labelValues("as_fetched").inc(asFetched);
    metrics.restoreWrittenBytes.labelValues("from_store").inc(result.bytes() - asFetched);
    return new Written(
        entry.name(),
        entry.version(),
        entry.root().toHex(),
        call.path(),
        entry.sizeBytes(),
        result.files(),
        result.bytes(),
        (System.nanoTime() - start) / 1e9,
        reader.root(entry.root()).logOffset(),
        fetched.result() == null ? 0 : fetched.result().fetchedBytes());
  }
}
