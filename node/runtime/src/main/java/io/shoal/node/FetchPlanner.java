package io.shoal.node;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.chunkstore.snapshot.FileTable;
import io.shoal.chunkstore.snapshot.LeafCursor;
import io.shoal.chunkstore.snapshot.RestoredFiles;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.ChunkBitmap;
import io.shoal.node.core.FetchCore;
import io.shoal.node.core.TransferMessage.HaveReply;
import io.shoal.node.core.TransferSession;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the store for the transfer session, on worker threads: what a fetch still lacks (walking
 * the snapshot's Merkle DAG as far as its metadata is here), and what this node holds of a snapshot
 * it is not fetching (to answer a have-query).
 */
final class FetchPlanner {
  /**
   * Past this share of a snapshot's data chunks missing, they are asked for whole, not as deltas.
   */
  static final double MAX_DELTA_SHARE = 0.25;

  private static final Logger log = LoggerFactory.getLogger(FetchPlanner.class);

  /**
   * Have-queries answered at once, at most: each walks a snapshot's DAG on the transfer pool, and
   * peers decide how many they send.
   */
  static final int MAX_HAVE_QUERIES_RUNNING = 8;

  /** Where a plan goes; called on a worker thread. */
  interface Planned {
    void onPlanned(FetchJob job, SnapshotPlanner.Plan plan);

    void onPlanFailed(FetchJob job, IOException why);
  }

  private final NodeId self;
  private final ChunkStore store;
  private final SnapshotReader reader;
  private final Executor workers;
  private final AtomicInteger haveQueriesRunning = new AtomicInteger();

  FetchPlanner(NodeId self, ChunkStore store, SnapshotReader reader, Executor workers) {
    this.self = self;
    this.store = store;
    this.reader = reader;
    this.workers = workers;
  }

  /**
   * Plans {@code job} on a worker; opens its direct output once the metadata allows. A full pool
   * fails the plan, and with it the fetch, with a message that says so.
   */
  void plan(FetchJob job, Planned planned) {
    try {
      submitPlan(job, planned);
    } catch (RejectedExecutionException e) {
      planned.onPlanFailed(
          job,
          new IOException("cannot plan " + job.target.label() + ": the transfer pool is full"));
    }
  }

  private void submitPlan(FetchJob job, Planned planned) {
    workers.execute(
        () -> {
          try {
            SnapshotPlanner.Plan plan = SnapshotPlanner.plan(reader, job.root());
            if (plan.metadataComplete() && !job.selection.isAll()) {
              FileSelection.Selected selected;
              FileTable table = reader.fileTable(plan.root());
              try {
                selected = job.selection.select(table, job.target.label());
              } catch (IllegalArgumentException e) {
                planned.onPlanFailed(job, new IOException(e.getMessage(), e)); // no data moved
                return;
              }
              job.selectedWhole = selected.entries().size() == table.entries().size();
              plan = limited(plan, selected);
            }
            if (plan.metadataComplete() && !job.dataPlanned) {
              plan = withBases(plan, job);
            }
            if (job.direct != null
                && plan.metadataComplete()
                && !job.direct.isOpen()
                && !job.direct.mirrorFailed()) {
              try {
                if (job.tee) {
                  if (!RestoredFiles.linkable(reader.fileTable(plan.root()))) {
                    job.keepAfter = false; // before any chunk is placed: the store keeps them
                  }
                  openMirrorTarget(job.direct, plan.root()); // the data plan places the rest
                } else {
                  openDirect(job.direct, plan.root());
                }
              } catch (IOException e) {
                if (job.tee) {
                  job.direct.failMirror(e); // the restore fails; the store fetch goes on
                } else {
                  // The target's own complaint (it exists, a path escapes it) says it best.
                  planned.onPlanFailed(job, e);
                  return;
                }
              }
            }
            planned.onPlanned(job, plan);
          } catch (IOException | RuntimeException e) {
            planned.onPlanFailed(
                job, new IOException("cannot plan " + job.target.label() + ": " + e.getMessage()));
          }
        });
  }

  /**
   * {@code plan} with only the data chunks that hold bytes of the selected files: a chunk that
   * straddles a selected file and another is fetched whole, so a selection moves its own bytes and
   * at most a chunk more at each edge.
   */
  static SnapshotPlanner.Plan limited(SnapshotPlanner.Plan plan, FileSelection.Selected selected) {
    List<FetchCore.Wanted> data = new ArrayList<>();
    for (FetchCore.Wanted w : plan.missingData()) {
      if (selected.overlaps(w.offset(), w.sizeBytes())) {
        data.add(w);
      }
    }
    return new SnapshotPlanner.Plan(
        plan.root(),
        plan.missingMetadata(),
        plan.metadataComplete(),
        data,
        plan.totalLeaves(),
        plan.have());
  }

  /**
   * {@code plan} with the delta bases of its missing data chunks ({@link DeltaBases}), unless more
   * than {@link #MAX_DELTA_SHARE} of the snapshot's data chunks are missing: a version that rewrote
   * most of its content gains little from deltas, while every holder would encode each of its
   * chunks against the old ones before sending it whole (a swarm publishing new random versions of
   * one name took 20.6 s instead of 12.2 s, the seeder sending 4.2 copies).
   */
  private SnapshotPlanner.Plan withBases(SnapshotPlanner.Plan plan, FetchJob job) {
    if (plan.missingData().size() > plan.totalLeaves() * MAX_DELTA_SHARE) {
      return plan;
    }
    return new SnapshotPlanner.Plan(
        plan.root(),
        plan.missingMetadata(),
        true,
        DeltaBases.attach(reader, job.target, plan.root(), plan.missingData()),
        plan.totalLeaves(),
        plan.have());
  }

  /**
   * Makes {@code out} the mirror of {@code job}, a store fetch whose data is planned already, on a
   * worker: opens it, writes into it the selected data chunks the store holds, places the others,
   * and only then attaches it, so that each placed chunk either arrives after (and is mirrored) or
   * is in the store by the end ({@link DirectOutput#fillFrom}). A failure is kept in the mirror;
   * with the pool full, the mirror stays unattached (the restore then writes out of the store).
   */
  private CompletableFuture<Void> openMirror(FetchJob job, DirectOutput out, boolean keepAfter) {
    try {
      return attachAsync(job, out, keepAfter);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(null);
    }
  }

  /**
   * A restore's mirror joins {@code job}, the running fetch of its snapshot (transfer loop): a
   * store fetch takes it from now on, opened at once if its data is planned ({@link #openMirror}),
   * else when it is. A fetch with a direct output of its own, or finishing, is joined without it
   * (the restore then writes out of the store). Completes when the mirror is attached.
   */
  CompletableFuture<Void> joinMirror(FetchJob job, DirectOutput out, boolean keepAfter) {
    if (job.direct != null || job.finishing) {
      return CompletableFuture.completedFuture(null);
    }
    if (job.dataPlanned) {
      return openMirror(job, out, keepAfter);
    }
    job.attachMirror(out, keepAfter); // opened and placed when the data is planned
    return CompletableFuture.completedFuture(null);
  }

  private CompletableFuture<Void> attachAsync(FetchJob job, DirectOutput out, boolean keepAfter) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            SnapshotRoot root = reader.root(job.root());
            openMirrorTarget(out, root).forEach(out::place);
            job.attachMirror(out, keepAfter && RestoredFiles.linkable(reader.fileTable(root)));
          } catch (IOException | RuntimeException e) {
            out.failMirror(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
          }
        },
        workers);
  }

  /**
   * Opens mirror {@code out} for {@code root}, places the selected data chunks the store holds and
   * has them copied in the background while the fetch runs ({@link DirectOutput#copyHeld}: a kept
   * replica holds most of a new version, and copying it first held back the fetch by seconds).
   * Returns the offsets of the selected data chunks the store lacks, not placed.
   */
  private Map<ChunkId, List<Long>> openMirrorTarget(DirectOutput out, SnapshotRoot root)
      throws IOException {
    FileSelection.Selected selected = out.open(root, reader.fileTable(root));
    Set<ChunkId> held = new HashSet<>();
    Map<ChunkId, List<Long>> missing = new HashMap<>();
    if (root.data().sizeBytes() > 0) {
      LeafCursor cursor = new LeafCursor(reader, root.data(), 0);
      while (cursor.next()) {
        if (!selected.overlaps(cursor.offset(), cursor.length())) {
          continue;
        }
        // One decision per chunk: the store can gain it during this walk (another fetch), and a
        // chunk both copied and placed would be written twice at its earlier offsets.
        ChunkId id = cursor.id();
        if (!missing.containsKey(id) && (held.contains(id) || store.contains(id))) {
          held.add(id);
        } else {
          missing.computeIfAbsent(id, k -> new ArrayList<>()).add(cursor.offset());
        }
      }
    }
    out.copyHeld(reader, root, held, workers);
    return missing;
  }

  /** Opens a direct output and writes into it the selected data chunks the store already holds. */
  private void openDirect(DirectOutput out, SnapshotRoot root) throws IOException {
    FileSelection.Selected selected = out.open(root, reader.fileTable(root));
    if (root.data().sizeBytes() == 0) {
      return;
    }
    LeafCursor cursor = new LeafCursor(reader, root.data(), 0);
    Set<ChunkId> missing = new HashSet<>(); // one decision per chunk, as in openMirrorTarget
    while (cursor.next()) {
      if (!selected.overlaps(cursor.offset(), cursor.length())) {
        continue;
      }
      ChunkId id = cursor.id();
      if (!missing.contains(id) && store.contains(id)) {
        reader.checkLeaf(id, cursor.length());
        out.writeFromStore(cursor.offset(), id, store.read(id));
      } else {
        missing.add(id);
      }
    }
  }

  /**
   * Takes what {@code plan} tells about {@code job}: its creation time, its missing metadata, and
   * the first time the metadata is complete, the session's data plan (placing the job's direct
   * output); null when there is no new data plan. Transfer loop.
   */
  static TransferSession.DataPlan take(FetchJob job, SnapshotPlanner.Plan plan) {
    if (plan.root() != null) {
      job.createdMillis = plan.root().createdMillis();
    }
    for (FetchCore.Wanted w : plan.missingMetadata()) {
      job.metadataIds.add(w.id());
    }
    if (!plan.metadataComplete() || job.dataPlanned) {
      return null;
    }
    job.dataPlanned = true;
    return dataPlan(job, plan);
  }

  private static TransferSession.DataPlan dataPlan(FetchJob job, SnapshotPlanner.Plan plan) {
    Map<ChunkId, List<Long>> offsets = new HashMap<>();
    long total = 0;
    for (FetchCore.Wanted w : plan.missingData()) {
      offsets.computeIfAbsent(w.id(), k -> new ArrayList<>()).add(w.offset());
      total += w.sizeBytes();
    }
    if (job.direct != null) {
      offsets.forEach(job.direct::place);
    }
    // The snapshot's size, not what is missing: a resumed fetch shows what it already holds.
    job.heldBytes = Math.max(0, plan.root().data().sizeBytes() - total);
    job.doneBytes = job.heldBytes;
    job.totalBytes = job.heldBytes + total;
    return new TransferSession.DataPlan(
        plan.missingData(), plan.totalLeaves(), plan.have().toBitSet());
  }

  /**
   * What this node holds of {@code root}, read on a worker, handed to {@code answer}. Past {@link
   * #MAX_HAVE_QUERIES_RUNNING} at once, or with the pool full, the query goes unanswered (the
   * asker's query times out; the pool's refusals are counted).
   */
  void haveOf(ChunkId root, java.util.function.Consumer<HaveReply> answer) {
    if (haveQueriesRunning.incrementAndGet() > MAX_HAVE_QUERIES_RUNNING) {
      haveQueriesRunning.decrementAndGet();
      return;
    }
    try {
      workers.execute(
          () -> {
            try {
              answerHave(root, answer);
            } finally {
              haveQueriesRunning.decrementAndGet();
            }
          });
    } catch (RejectedExecutionException e) {
      haveQueriesRunning.decrementAndGet();
    }
  }

  private void answerHave(ChunkId root, java.util.function.Consumer<HaveReply> answer) {
    boolean complete =
        store.catalog().entries().stream().anyMatch(e -> e.root().equals(root) && e.complete());
    if (complete) {
      answer.accept(new HaveReply(root, true, ChunkBitmap.empty()));
      return;
    }
    ChunkBitmap have = ChunkBitmap.empty();
    try {
      SnapshotPlanner.Plan plan = SnapshotPlanner.plan(reader, root);
      if (plan.metadataComplete()) {
        have = plan.have();
      }
    } catch (IOException | RuntimeException e) {
      log.debug(
          "cannot tell what {} holds of {}: {}", self.shortHex(), root.toShortHex(), e.toString());
    }
    answer.accept(new HaveReply(root, false, have));
  }
}
