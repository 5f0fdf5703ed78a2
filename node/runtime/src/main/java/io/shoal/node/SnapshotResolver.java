package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.Progress;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.chunkstore.snapshot.Materializer;
import io.shoal.chunkstore.snapshot.RestoredFiles;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Winners;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Which snapshot a reference means, here or in the swarm, and getting it: the version the swarm
 * offers (its winner, or the named version's best root, among the versions this node trusts)
 * against what the store holds, then a fetch when the swarm's is newer. Blocking calls run on the
 * caller's thread (an HTTP worker, the CLI's); the swarm's catalogs are read on their loop ({@link
 * CatalogReader}: full membership's, or the views' with {@code --membership views}).
 *
 * <p>When the swarm does not announce the snapshot yet, a fetch waits for it, but no longer than
 * waiting can change the answer ({@link SeedWatch.Reach#isSettled}): once every seed has answered
 * with its catalogs or failed, it says at once that no member announces it, or which seed it cannot
 * reach and why.
 */
final class SnapshotResolver {
  static final long FETCH_TIMEOUT_HOURS = 24;

  /** How often a fetch waiting for gossip to announce its snapshot looks again. */
  static final long ANNOUNCEMENT_POLL_MILLIS = 100;

  /**
   * Longest {@code /get} and the gateway wait for the swarm to announce a snapshot this node does
   * not know yet (a node that has just started has not heard its seeds); they answer sooner once
   * every seed answered or failed. The HTTP worker is held that long at most.
   */
  static final Duration SERVE_ANNOUNCEMENT_WAIT = Duration.ofSeconds(5);

  private final ChunkStore store;
  private final SnapshotReader reader;
  private final GossipDriver driver;
  private final CatalogReader catalogs;
  private final TransferService transfers;
  private final FetchRetention retention;
  private final SeedWatch seeds;

  SnapshotResolver(
      ChunkStore store,
      SnapshotReader reader,
      GossipDriver driver,
      CatalogReader catalogs,
      TransferService transfers,
      FetchRetention retention,
      SeedWatch seeds) {
    this.store = store;
    this.reader = reader;
    this.driver = driver;
    this.catalogs = catalogs;
    this.transfers = transfers;
    this.retention = retention;
    this.seeds = seeds;
  }

  ShoalNode.Fetched fetchTo(
      SnapshotRef ref, Duration announcement, Path path, Materializer.Options options)
      throws IOException {
    Materializer.checkTargetEarly(path, options.overwrite());
    try (DirectOutput out = new DirectOutput(path, options)) {
      ShoalNode.Fetched f = fetchInto(ref, announcement, out);
      if (f.result() == null) {
        Materializer.materialize(reader, f.entry().root(), path, options, Progress.none());
      }
      return f;
    }
  }

  /**
   * Makes sure this node holds {@code ref}, waiting up to {@code announcement} for the swarm to
   * announce it: fetches it unless held, into the store, or into {@code out} instead when not null.
   * Blocks until done.
   */
  ShoalNode.Fetched fetchInto(SnapshotRef ref, Duration announcement, DirectOutput out)
      throws IOException {
    return fetchInto(ref, announcement, out, false, false);
  }

  /**
   * As {@link #fetchInto(SnapshotRef, Duration, DirectOutput)}; with {@code mirrored}, into both
   * the store and {@code out} (then only the files {@code out} takes). With {@code keepAfter} as
   * well, a fetch this starts writes the data only to {@code out} and commits it, and the caller
   * keeps it in the store afterwards ({@link #keepRestored}).
   */
  ShoalNode.Fetched fetchInto(
      SnapshotRef ref, Duration announcement, DirectOutput out, boolean mirrored, boolean keepAfter)
      throws IOException {
    Decision d = decide(ref, announcement);
    // A partial version held here (a fetch running, a restore keeping its data) is fetched on.
    if (!d.fetch() && d.entry().complete()) {
      return new ShoalNode.Fetched(d.entry(), null);
    }
    try {
      if (out != null && !mirrored) {
        FetchResult r = transfers.fetchTo(d.entry(), out).get(FETCH_TIMEOUT_HOURS, TimeUnit.HOURS);
        return new ShoalNode.Fetched(d.entry(), r);
      }
      return fetchHeld(
              d.entry(), out == null ? FileSelection.all() : out.selection(), out, keepAfter)
          .get(FETCH_TIMEOUT_HOURS, TimeUnit.HOURS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io
          ? io
          : new IOException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while fetching " + ref);
    } catch (TimeoutException e) {
      throw new IOException("fetching " + ref + " did not finish", e);
    }
  }

  /**
   * What {@code ref} means here: the entry held, or the swarm's newer one to fetch.
   *
   * @param fetch whether {@code entry} is the swarm's, to fetch
   */
  private record Decision(CatalogEntry entry, boolean fetch) {}

  /** What this node has heard of the swarm, read in one go. */
  private record Heard(SeedWatch.Reach reach, int otherMembers, long syncReplies) {}

  private Heard heard() {
    // Read before the core: a seed's answer is recorded after its message reached the driver, so
    // the query below sees the catalogs it brought.
    SeedWatch.Reach reach = seeds.reach();
    return catalogs.readCatalogs(
        src -> new Heard(reach, src.reachableMembers() - 1, src.syncReplies()));
  }

  /**
   * Waits up to {@code announcement} for the swarm to announce {@code ref}, or until waiting can no
   * longer change the answer; then decides.
   *
   * @throws IllegalArgumentException when members were reached and none announces {@code ref}
   * @throws SeedsUnreachableException when no member was reached, with each seed's reason
   */
  private Decision decide(SnapshotRef ref, Duration announcement) throws IOException {
    long deadline = System.nanoTime() + announcement.toNanos();
    while (true) {
      // Right after joining, the swarm's catalogs are not known yet: what is held here may be old.
      // (Asked before resolving, so a catalog that lands in between is not missed.)
      Heard h = heard();
      boolean waitedOut = System.nanoTime() - deadline >= 0;
      boolean settled = h.reach().isSettled(h.otherMembers());
      boolean heard =
          announcement.isZero()
              || h.reach().seeds().isEmpty()
              || h.syncReplies() > 0
              || settled
              || waitedOut;
      Optional<CatalogEntry> target = resolveInSwarm(ref);
      Optional<CatalogEntry> local = ref.resolve(store.catalog());
      boolean localIsNewest =
          local.isPresent() && (target.isEmpty() || !beats(target.get(), local.get()));
      if (localIsNewest && heard) {
        return new Decision(local.get(), false);
      }
      if (!localIsNewest && target.isPresent()) {
        return new Decision(target.get(), true);
      }
      if (settled || waitedOut) {
        Exception missing = h.reach().missing(ref.toString(), h.otherMembers(), settled);
        if (missing instanceof IOException io) {
          throw io;
        }
        throw (RuntimeException) missing;
      }
      try {
        Thread.sleep(ANNOUNCEMENT_POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for " + ref);
      }
    }
  }

  /**
   * Makes sure this node holds {@code ref} (the files {@code selection} takes), as {@link
   * #fetchInto} waiting at most {@link #SERVE_ANNOUNCEMENT_WAIT} for an announcement, but without
   * holding the calling thread while the fetch runs: the future completes (on the transfer loop)
   * when the snapshot is held, or fails as {@link #fetchInto} would throw. With a selection short
   * of all, only the data of the files it takes is fetched, and the version stays partial here.
   *
   * <p>A fetch this starts also writes the data, as it arrives, to {@code mirror} (unless null),
   * which takes {@code selection}; with {@code keepAfter}, only there, as {@link #fetchInto} does.
   * The mirror stays unopened when nothing is fetched or a running fetch is joined.
   */
  CompletableFuture<ShoalNode.Fetched> fetchAsync(
      SnapshotRef ref, FileSelection selection, DirectOutput mirror, boolean keepAfter) {
    Decision d;
    try {
      d = decide(ref, SERVE_ANNOUNCEMENT_WAIT);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    // A partial version held here (an earlier selection) is fetched on: it may lack these files.
    return d.fetch() || !d.entry().complete()
        ? fetchHeld(d.entry(), selection, mirror, keepAfter)
        : CompletableFuture.completedFuture(new ShoalNode.Fetched(d.entry(), null));
  }

  /**
   * Fetches {@code target} (the files {@code selection} takes) into the store, and into {@code
   * mirror} unless null; then retention.
   */
  private CompletableFuture<ShoalNode.Fetched> fetchHeld(
      CatalogEntry target, FileSelection selection, DirectOutput mirror, boolean keepAfter) {
    return fetchHeld(target, selection, mirror, keepAfter, true);
  }

  /**
   * As {@link #fetchHeld(CatalogEntry, FileSelection, DirectOutput, boolean)}. A caller that joined
   * a restore's fetch which left its data to the restore's files ({@link FetchJob#keepAfter}) finds
   * the version partial when that fetch ends; with {@code again}, it waits for the restore to keep
   * that data in the store ({@link FetchFinisher#kept}), and fetches what the store still lacks
   * then, once. The restore itself, whose open mirror holds that data, does not.
   */
  private CompletableFuture<ShoalNode.Fetched> fetchHeld(
      CatalogEntry target,
      FileSelection selection,
      DirectOutput mirror,
      boolean keepAfter,
      boolean again) {
    return (mirror == null
            ? transfers.fetch(target, selection)
            : transfers.fetchMirrored(target, mirror, keepAfter))
        .thenCompose(
            r -> {
              retention.apply();
              CatalogEntry held =
                  store.catalog().get(target.name(), target.version()).orElseThrow();
              boolean restoring = mirror != null && keepAfter && mirror.isOpen();
              if (again && !held.complete() && selection.isAll() && !restoring) {
                return transfers
                    .finisher
                    .kept(target.root())
                    .thenCompose(
                        v -> {
                          CatalogEntry now =
                              store.catalog().get(target.name(), target.version()).orElseThrow();
                          return now.complete()
                              ? CompletableFuture.completedFuture(new ShoalNode.Fetched(now, r))
                              : fetchHeld(target, selection, mirror, keepAfter, false);
                        });
              }
              return CompletableFuture.completedFuture(new ShoalNode.Fetched(held, r));
            });
  }

  /**
   * Keeps in the store the data of {@code entry} that a fetch wrote only to the restored {@code
   * files}, then records it complete ({@link FetchFinisher#keepRestored}); runs {@code done} at the
   * end.
   */
  void keepRestored(CatalogEntry entry, RestoredFiles files, Runnable done) {
    transfers.finisher.keepRestored(entry, reader, files, done);
  }

  /**
   * A restore that fetched {@code entry} leaving data to its files ended, having kept that data in
   * the store or not: callers that joined its fetch stop waiting ({@link FetchFinisher#keepEnded}).
   */
  void keepEnded(CatalogEntry entry) {
    transfers.finisher.keepEnded(entry.root());
  }

  /**
   * The snapshot {@code ref} names, held here or offered by the swarm; a fetch is started (not
   * awaited) when this node lacks it, so a streaming reader can consume it as it arrives.
   */
  SnapshotGateway.Resolved resolveAndStart(SnapshotRef ref) throws IOException {
    Decision d = decide(ref, SERVE_ANNOUNCEMENT_WAIT);
    return new SnapshotGateway.Resolved(
        d.entry(), d.fetch() ? transfers.fetch(d.entry(), FileSelection.all()) : null);
  }

  private static boolean beats(CatalogEntry a, CatalogEntry b) {
    return Winners.beats(a.version(), a.root(), b.version(), b.root());
  }

  /**
   * The version the swarm offers for {@code ref}: the winner, or the named version's best root,
   * among the versions this node trusts.
   *
   * @throws IllegalArgumentException when the swarm offers {@code ref} only from publishers, or
   *     with ids, that this node does not trust
   */
  private Optional<CatalogEntry> resolveInSwarm(SnapshotRef ref) {
    Resolution r =
        catalogs.readCatalogs(
            src -> {
              HeldVersion best = best(src.catalogs(), ref);
              return best != null
                  ? new Resolution(
                      Optional.of(
                          new CatalogEntry(
                              ref.name(),
                              best.version(),
                              best.root(),
                              false,
                              best.sizeBytes(),
                              0,
                              CatalogAnnouncer.provenanceOf(
                                  best, src.credentialOf(best.publisher())))),
                      false)
                  : new Resolution(Optional.empty(), best(src.relayedCatalogs(), ref) != null);
            });
    if (r.untrustedOnly()) {
      throw new IllegalArgumentException(
          ref
              + " is announced only by publishers, or with ids, that this node does not trust"
              + " (see --trust-publisher and --require-sha256)");
    }
    return r.entry();
  }

  /** What the swarm offers for a reference. */
  private record Resolution(Optional<CatalogEntry> entry, boolean untrustedOnly) {}

  private static HeldVersion best(
      Map<NodeId, ? extends Map<String, CatalogValue>> catalogs, SnapshotRef ref) {
    HeldVersion best = null;
    for (var catalog : catalogs.values()) {
      CatalogValue v = catalog.get(ref.name());
      if (v == null) {
        continue;
      }
      for (HeldVersion h : v.versions()) {
        boolean wanted = ref.version().isEmpty() || ref.version().getAsLong() == h.version();
        if (wanted
            && (best == null
                || Winners.beats(h.version(), h.root(), best.version(), best.root()))) {
          best = h;
        }
      }
    }
    return best;
  }

  /**
   * One past the newest version of the name anywhere this node knows of: here or in the swarm (a
   * pin aside: a pinned name's next version still passes its highest).
   */
  long nextVersion(String name) {
    long local = store.catalog().latest(name).map(CatalogEntry::version).orElse(0L);
    long swarm =
        catalogs.readCatalogs(
            src -> {
              Winners.Winner highest = Winners.of(src.catalogs()).get(name);
              return highest == null ? 0L : highest.version();
            });
    return Math.max(local, swarm) + 1;
  }

  /** The gossip driver, for the routes that change gossip state ({@link Pinning}). */
  GossipDriver driver() {
    return driver;
  }
}
