package io.shoal.node;

import io.netty.channel.EventLoop;
import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.snapshot.FileSelection;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.ChunkBitmap;
import io.shoal.node.core.FetchCore;
import io.shoal.node.core.FetchSession;
import io.shoal.node.core.TransferEvent;
import io.shoal.node.core.TransferMessage;
import io.shoal.node.core.TransferMessage.ChunkRefused;
import io.shoal.node.core.TransferMessage.HaveQuery;
import io.shoal.node.core.TransferMessage.HaveReply;
import io.shoal.node.core.TransferMessage.Request;
import io.shoal.node.core.TransferSession;
import io.shoal.node.core.UploadCore;
import io.shoal.node.core.membership.SwarmDirectory;
import io.shoal.node.net.ChunkFrame;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerLink;
import io.shoal.node.net.PeerTransport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty driver of this node's {@link TransferSession}: decodes what peers send, calls the
 * session on one event loop (the transfer loop), and carries out its outputs (messages, chunk
 * serves, fetch completions), arming one timer at the session's next deadline. Inputs reach the
 * loop through a bounded inbox and are taken in batches, the outputs carried out once per batch
 * ({@link TransferInbox}). Replies are verified and written on verifier threads ({@link
 * ChunkReceiver}); chunks are served by {@link ChunkServer}; the store is read for plans by {@link
 * FetchPlanner}. Nothing here runs blocking work on a loop.
 *
 * <p>Thread-safe entry points; the session and the jobs are confined to the transfer loop.
 */
final class TransferService implements AutoCloseable, ChunkReceiver.Outcome, FetchPlanner.Planned {
  private static final Logger log = LoggerFactory.getLogger(TransferService.class);

  /** Which id algorithms this node fetches and serves. */
  private final HashRequirement ids;

  private final EventLoop loop;
  private final TransferMetrics fetchMetrics;
  private final RuntimeHolders holders;
  private final TransferSession session;
  private final ChunkServer server;
  private final ChunkReceiver receiver;
  private final FetchPlanner planner;
  final FetchFinisher finisher; // package-private: a restore keeps its files through it
  private final ChunkSink sink;
  private final PeerRoutes routes;
  private final Map<ChunkId, FetchJob> jobs = new HashMap<>();
  private final Map<ChunkId, FetchJob> jobsView = new ConcurrentHashMap<>();
  private final SessionTimer timer;
  private final TransferInbox inbox;
  final BannedPeers banned;
  final FetchGate gate = new FetchGate(); // retention collects only while no fetch runs
  private volatile boolean closed;
  private volatile int uploadQueued;

  TransferService(
      NodeId self,
      ChunkStore store,
      SnapshotReader reader,
      PeerTransport transport,
      EventLoop loop,
      Executor workers,
      Executor verifiers,
      ChunkSink sink,
      SwarmDirectory directory,
      NodeMetrics metrics,
      NodeConfig config,
      CompressionPolicy compression,
      Faults faults,
      HashRequirement ids,
      Consumer<CatalogEntry> catalogChanged) {
    this.ids = ids;
    this.loop = loop;
    this.holders = new RuntimeHolders(directory, config.zone(), metrics.crossZoneReceivedBytes);
    long upload = config.uploadBytesPerSecond();
    this.session = new TransferSession(self, config.transfer(), holders, upload, 0, config.zone());
    Executor pool = NodeThreads.counted(workers, metrics.tasksRefused.labelValues("transfer_pool"));
    var download = new DownloadThrottle(config.downloadBytesPerSecond());
    this.receiver = new ChunkReceiver(sink, store, verifiers, download, metrics, this);
    this.planner = new FetchPlanner(self, store, reader, pool);
    this.finisher = new FetchFinisher(store, sink, pool, catalogChanged, metrics.restoreKeptBytes);
    this.sink = sink;
    this.routes = new PeerRoutes(directory, transport, receiver);
    this.timer = new SessionTimer(loop, this::onTimer);
    this.inbox = new TransferInbox(loop, metrics, this::afterInput);
    var replies = new ServeReplies(inbox, session, routes, metrics);
    this.server = new ChunkServer(store, pool, compression, faults, metrics, replies);
    this.banned = new BannedPeers(metrics);
    sink.onCommit(committed -> inbox.post(() -> onCommitted(committed)));
    this.fetchMetrics =
        new TransferMetrics(metrics, jobsView, () -> uploadQueued, compression, upload, download);
  }

  // ---------------------------------------------------------------- API

  /** Fetches what the store lacks of the files {@code selection} takes of {@code target}. */
  CompletableFuture<FetchResult> fetch(CatalogEntry target, FileSelection selection) {
    return gate.admit(() -> start(target, null, false, selection, false));
  }

  /** As {@link #fetch}, with the data chunks written on arrival to {@code out}, not the store. */
  CompletableFuture<FetchResult> fetchTo(CatalogEntry target, DirectOutput out) {
    return gate.admit(() -> start(target, out, false, out.selection(), false));
  }

  /**
   * As {@link #fetch} of the files {@code mirror} takes, each data chunk also written on arrival to
   * {@code mirror}, which the caller fills from the store and commits once the fetch is held
   * ({@link DirectOutput#fillFrom}). A running fetch of {@code target} is joined ({@link
   * FetchPlanner#joinMirror}). With {@code keepAfter}, the fetch leaves the data chunks {@code
   * mirror} takes out of the store from then on, and the caller keeps them there once the files are
   * in place ({@link FetchJob#keepAfter}).
   */
  CompletableFuture<FetchResult> fetchMirrored(
      CatalogEntry target, DirectOutput mirror, boolean keepAfter) {
    return gate.admit(() -> start(target, mirror, true, mirror.selection(), keepAfter));
  }

  private CompletableFuture<FetchResult> start(
      CatalogEntry target,
      DirectOutput out,
      boolean tee,
      FileSelection selection,
      boolean keepAfter) {
    CompletableFuture<FetchResult> result = new CompletableFuture<>();
    if (!ids.allows(target.root())) {
      try {
        ids.check(target.label(), target.root());
      } catch (IllegalArgumentException e) {
        result.completeExceptionally(e);
      }
      return result;
    }
    inbox.post(
        () -> {
          FetchJob job = jobs.get(target.root());
          DirectOutput direct = job != null && tee ? null : out; // a mirror joins as a store fetch
          String busy = job == null ? null : job.refusesToJoin(direct, selection);
          if (busy != null) {
            result.completeExceptionally(new IOException(busy));
            return;
          }
          CompletableFuture<Void> attached =
              job != null && tee
                  ? planner.joinMirror(job, out, keepAfter)
                  : CompletableFuture.completedFuture(null);
          if (job == null && !session.canStartFetch()) {
            result.completeExceptionally(new FetchRefusedException(target.label()));
            return;
          }
          if (job == null) {
            long now = System.nanoTime();
            job = new FetchJob(target, direct, tee, selection, now, sink.failedCommits());
            job.keepAfter = tee && keepAfter;
            jobs.put(target.root(), job);
            jobsView.put(target.root(), job);
            fetchMetrics.started(job);
            log.atLevel(LogLines.level(target.name()))
                .log("fetching {} (root {})", target.label(), target.root().toShortHex());
            session.startFetch(target.root(), job.keepsData(), List.of(), null, now);
            plan(job);
            afterInput(now);
          }
          job.done
              .thenCombine(attached, (r, nothing) -> r)
              .whenComplete(
                  (r, e) -> {
                    if (e != null) {
                      result.completeExceptionally(e);
                    } else {
                      result.complete(r);
                    }
                  });
        });
    return result;
  }

  /** Changes the upload limit; the requests queued stay queued, served at the new rate. */
  void setUploadLimit(long bytesPerSecond) {
    fetchMetrics.uploadLimit(bytesPerSecond);
    inbox.post(() -> session.setUploadLimit(bytesPerSecond));
  }

  /** Fetches in progress. */
  List<TransferView> active() {
    List<TransferView> out = new ArrayList<>();
    long now = System.nanoTime();
    for (FetchJob j : jobsView.values()) {
      out.add(j.view(now));
    }
    return out;
  }

  /** A reader of {@code root}'s data is at {@code offset}: fetch what follows it first. */
  void readerAt(ChunkId root, long offset) {
    inbox.input(now -> session.onReaderPosition(root, offset, now));
  }

  // ---------------------------------------------------------------- peer traffic (I/O threads)

  void onMessage(NodeId from, PeerLink link, Object message) {
    if (message instanceof ChunkFrame f) {
      receiver.onFrame(from, link, f);
    } else if (message instanceof Request r && !ids.allows(r.id())) {
      link.send(new ChunkRefused(r.requestId(), ChunkRefused.Reason.NOT_FOUND));
    } else if (message instanceof HaveQuery q && !ids.allows(q.root())) {
      link.send(new HaveReply(q.root(), false, ChunkBitmap.empty()));
    } else if (message instanceof TransferMessage m) {
      inbox.fromPeer(
          link,
          now -> {
            routes.heard(from, link, m);
            session.onMessage(from, m, now);
          });
    }
  }

  void onWritability(PeerLink link, boolean writable) {
    inbox.post(
        () -> {
          if (routes.isRequesterLink(link)) {
            session.onWritable(link.peer(), writable);
            if (writable) {
              afterInput(System.nanoTime());
            }
          }
        });
  }

  void onDisconnected(PeerLink link) {
    inbox.post(
        () -> {
          if (routes.closed(link)) {
            session.onPeerDisconnected(link.peer());
          }
        });
  }

  /** Gossip says the member is up (fetches short of peers look at it), or gone (next method). */
  void onMemberUp(NodeId peer) {
    inbox.input(now -> session.onPeerUp(peer, now));
  }

  void onMemberGone(NodeId peer) { // its requests go elsewhere at once
    inbox.input(now -> session.onPeerGone(peer, now));
  }

  /** Gossip says what {@code owner} now holds under one name. */
  void onCatalogChanged(NodeId owner, CatalogValue value) {
    inbox.input(
        now -> {
          for (HeldVersion v : value.versions()) {
            session.onHolderChanged(owner, v.root(), v.complete(), now);
          }
        });
  }

  @Override
  public void onReply(FetchJob job, NodeId from, long requestId, boolean verified, int wireBytes) {
    holders.onReceived(from, wireBytes);
    inbox.input(now -> session.onChunk(from, requestId, verified, wireBytes, now));
  }

  @Override
  public void onWriteFailed(FetchJob job, IOException why) {
    inbox.post(() -> fail(job, why));
  }

  // ---------------------------------------------------------------- planning (transfer loop)

  private void plan(FetchJob job) {
    if (job.planning) {
      job.replanWanted = true;
      return;
    }
    job.planning = true;
    planner.plan(job, this);
  }

  @Override
  public void onPlanned(FetchJob j, SnapshotPlanner.Plan plan) {
    inbox.post(() -> applyPlan(j, plan));
  }

  @Override
  public void onPlanFailed(FetchJob j, IOException why) {
    inbox.post(() -> fail(j, why));
  }

  private void applyPlan(FetchJob job, SnapshotPlanner.Plan plan) {
    job.planning = false;
    if (job.done.isDone()) {
      return;
    }
    long now = System.nanoTime();
    TransferSession.DataPlan data = FetchPlanner.take(job, plan);
    if (data != null && job.keepsData()) {
      finisher.recordPartial(job);
    }
    session.onPlan(job.root(), plan.missingMetadata(), data, now);
    if (job.replanWanted) {
      job.replanWanted = false;
      plan(job);
    }
    afterInput(now);
  }

  /**
   * Chunks became visible in the store: the session holds them from now (have bits follow what a
   * read would find), and a fetch waiting on metadata can walk further.
   */
  private void onCommitted(List<ChunkId> ids) {
    long now = System.nanoTime();
    session.onChunksVisible(ids);
    for (FetchJob job : jobs.values()) {
      if (job.dataPlanned) {
        continue;
      }
      for (ChunkId id : ids) {
        if (job.metadataIds.contains(id)) {
          plan(job);
          break;
        }
      }
    }
    afterInput(now);
  }

  // ---------------------------------------------------------------- the session's outputs

  /** Carries out what the session asked for after an input, then re-arms its timer. */
  private void afterInput(long nowNanos) {
    for (FetchCore.Outbound o; (o = session.pollSend()) != null; ) {
      FetchJob job =
          o.message() instanceof Request r ? jobs.get(session.requestRoot(r.requestId())) : null;
      routes.send(o, job);
    }
    for (TransferEvent e; (e = session.pollEvent()) != null; ) {
      onEvent(e);
    }
    for (UploadCore.Serve s; (s = session.pollServe(nowNanos)) != null; ) {
      serve(s, nowNanos);
    }
    for (FetchJob job : jobs.values()) {
      job.progress(session.fetch(job.root()), nowNanos);
    }
    uploadQueued = session.uploadQueued();
    if (!closed) {
      timer.arm(session.nextDeadlineNanos(nowNanos), nowNanos);
    }
  }

  private void onEvent(TransferEvent e) {
    if (e instanceof TransferEvent.PeerBanned b) {
      banned.onBanned(b, label(b.root()), session.bans(System.nanoTime()));
    } else if (e instanceof TransferEvent.BadChunk b) {
      log.info(
          "chunk {} of {} from {} failed verification; fetching it elsewhere",
          b.id().toShortHex(),
          label(b.root()),
          b.peer().shortHex());
    } else if (e instanceof TransferEvent.Completed c) {
      FetchJob job = jobs.get(c.root());
      if (job != null) {
        finish(job, c.fetch());
      }
    } else if (e instanceof TransferEvent.Stalled st) {
      FetchJob job = jobs.get(st.root());
      if (job != null) {
        fail(job, job.stalled(st.why()));
      }
    } else if (e instanceof TransferEvent.HaveQueried q) {
      PeerLink link = routes.requesterLink(q.peer());
      if (link != null) {
        planner.haveOf(q.root(), link::send);
      }
    }
  }

  private String label(ChunkId root) {
    FetchJob job = jobs.get(root);
    return job == null ? root.toShortHex() : job.target.label();
  }

  private void serve(UploadCore.Serve s, long nowNanos) {
    PeerLink link = routes.requesterLink(s.peer());
    if (link == null || !link.isActive()) {
      session.onServed(s.peer(), 0, nowNanos);
      return;
    }
    server.serve(s, link, session.uploadRateBytesPerSecond());
  }

  // ---------------------------------------------------------------- timer

  private void onTimer() {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    session.onTimer(now);
    afterInput(now);
  }

  // ---------------------------------------------------------------- finishing

  private void finish(FetchJob job, FetchSession f) {
    finisher.finish(
        job,
        new FetchFinisher.Finished() {
          @Override
          public void onDurable(FetchJob j) {
            inbox.post(() -> finished(j, f));
          }

          @Override
          public void onFailed(FetchJob j, IOException why) {
            inbox.post(() -> fail(j, why));
          }
        });
  }

  private void finished(FetchJob job, FetchSession f) {
    ended(job);
    long now = System.nanoTime();
    FetchResult r = FetchFinisher.result(job, f, now);
    if (job.fetchesWhole() && job.deferred.sum() == 0) { // else it is not all here (yet)
      session.onFetchFinished(f);
    }
    afterInput(now);
    job.done.complete(r);
  }

  private void fail(FetchJob job, String why) {
    fail(job, new IOException(why));
  }

  private void fail(FetchJob job, IOException why) {
    if (job.done.isDone()) {
      return;
    }
    ended(job);
    session.cancelFetch(job.root(), System.nanoTime());
    log.warn("fetch of {} failed: {}", job.target.label(), why.getMessage());
    job.done.completeExceptionally(why);
  }

  private void ended(FetchJob job) {
    jobs.remove(job.root());
    jobsView.remove(job.root());
    holders.forget(job.root());
    receiver.forget(job);
  }

  @Override
  public void close() {
    try {
      loop.submit(
              () -> {
                closed = true;
                inbox.close(); // from here on, inputs are dropped
                timer.cancel();
                for (FetchJob job : new ArrayList<>(jobs.values())) {
                  fail(job, "the node is stopping");
                }
              })
          .await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The loop is already gone.
    }
    closed = true;
    inbox.close();
    server.close();
  }
}
