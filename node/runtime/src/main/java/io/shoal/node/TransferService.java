package io.shoal.node;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.IoErrors;
import io.shoal.chunkstore.VerifiedChunk;
import io.shoal.chunkstore.snapshot.LeafCursor;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.ChunkBitmap;
import io.shoal.node.core.FetchCore;
import io.shoal.node.core.FetchEvent;
import io.shoal.node.core.PeerChoice;
import io.shoal.node.core.TransferConfig;
import io.shoal.node.core.TransferMessage.Cancel;
import io.shoal.node.core.TransferMessage.ChunkRefused;
import io.shoal.node.core.TransferMessage.ChunkRequest;
import io.shoal.node.core.TransferMessage.HaveQuery;
import io.shoal.node.core.TransferMessage.HaveReply;
import io.shoal.node.core.TransferMessage.HaveUpdate;
import io.shoal.node.core.UploadCore;
import io.shoal.node.core.membership.SwarmDirectory;
import io.shoal.node.net.ChunkFrame;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerLink;
import io.shoal.node.net.PeerTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the transfer cores: one {@link FetchCore} per snapshot being fetched and one {@link
 * UploadCore} for serving, all on one event loop. Chunks arriving from peers are decoded, verified
 * against the id their request named, and written to the store on the I/O threads that read them;
 * the core hears only the outcome. Chunks are served zero-copy from the pack file unless
 * compression pays (see {@link CompressionPolicy}).
 *
 * <p>Thread-safe entry points; internal state is confined to the transfer loop.
 */
final class TransferService implements AutoCloseable {
  static final long TICK_MILLIS = 100;
  static final long HAVE_UPDATE_INTERVAL_NANOS = 100_000_000L;
  static final long NO_PEER_TIMEOUT_NANOS = 30_000_000_000L;
  static final long STALL_TIMEOUT_NANOS = 120_000_000_000L;
  private static final long REQUEST_ID_STRIDE = 1L << 40;

  private static final Logger log = LoggerFactory.getLogger(TransferService.class);

  /** Which id algorithms this node fetches and serves. */
  private final HashRequirement ids;

  private final NodeId self;
  private final ChunkStore store;
  private final SnapshotReader reader;
  private final PeerTransport transport;
  private final EventLoop loop;
  private final ExecutorService workers;
  private final ChunkSink sink;
  private final SwarmDirectory directory;
  private final NodeMetrics metrics;
  private final TransferConfig config;
  private final ChunkServer server;
  private final Consumer<CatalogEntry> catalogChanged;
  private UploadCore upload;
  private final Map<ChunkId, FetchJob> jobs = new HashMap<>();
  private final Map<Long, Pending> requestIndex = new ConcurrentHashMap<>();
  private final Map<NodeId, PeerLink> uploadLinks = new HashMap<>();
  private final Map<ChunkId, FetchJob> jobsView = new ConcurrentHashMap<>();
  private final ScheduledFuture<?> ticker;
  private long nextJobNumber = 1;
  private long lastHaveUpdateNanos;
  private volatile boolean closed;
  private volatile int uploadQueued;

  /** A request in flight, as the I/O threads need it to check a reply. */
  private record Pending(FetchJob job, ChunkId id, NodeId peer) {}

  TransferService(
      NodeId self,
      ChunkStore store,
      SnapshotReader reader,
      PeerTransport transport,
      EventLoop loop,
      ExecutorService workers,
      ChunkSink sink,
      SwarmDirectory directory,
      NodeMetrics metrics,
      TransferConfig config,
      CompressionPolicy compression,
      long uploadBytesPerSecond,
      Faults faults,
      HashRequirement ids,
      Consumer<CatalogEntry> catalogChanged) {
    this.self = self;
    this.ids = ids;
    this.store = store;
    this.reader = reader;
    this.transport = transport;
    this.loop = loop;
    this.workers = workers;
    this.sink = sink;
    this.directory = directory;
    this.metrics = metrics;
    this.config = config;
    this.server = new ChunkServer(store, workers, compression, faults, metrics, this::served);
    this.catalogChanged = catalogChanged;
    this.upload = new UploadCore(uploadBytesPerSecond);
    sink.onCommit(committed -> post(() -> onCommitted(committed)));
    metrics.gauge("shoal_transfer_active_fetches", "Snapshots being fetched", jobsView::size);
    metrics.gauge(
        "shoal_transfer_fetch_remaining_bytes",
        "Bytes the fetches in progress still lack",
        () -> jobsView.values().stream().mapToLong(j -> j.totalBytes - j.doneBytes).sum());
    metrics.gauge(
        "shoal_transfer_upload_queued_requests",
        "Chunk requests from peers waiting to be served",
        () -> uploadQueued);
    metrics.gauge(
        "shoal_transfer_compression_ratio",
        "Compressed to raw size of recently tried chunks (moving average)",
        compression::ratio);
    this.ticker =
        loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- API

  /** Fetches what the store lacks of {@code target}; joins a fetch of it already running. */
  CompletableFuture<FetchResult> fetch(CatalogEntry target) {
    return start(target, null);
  }

  /**
   * Fetches {@code target} with its data chunks written to {@code out} on arrival instead of the
   * store (see {@link DirectOutput}); fails if the snapshot is already being fetched.
   */
  CompletableFuture<FetchResult> fetchTo(CatalogEntry target, DirectOutput out) {
    return start(target, out);
  }

  private CompletableFuture<FetchResult> start(CatalogEntry target, DirectOutput direct) {
    CompletableFuture<FetchResult> result = new CompletableFuture<>();
    if (!ids.allows(target.root())) {
      try {
        ids.check(target.label(), target.root());
      } catch (IllegalArgumentException e) {
        result.completeExceptionally(e);
      }
      return result;
    }
    post(
        () -> {
          FetchJob job = jobs.get(target.root());
          if (job != null && (direct != null || job.direct != null)) {
            result.completeExceptionally(
                new IOException(target.label() + " is already being fetched"));
            return;
          }
          if (job == null) {
            FetchCore core =
                new FetchCore(target.root(), config, self, REQUEST_ID_STRIDE * nextJobNumber++);
            job = new FetchJob(target, core, direct, System.nanoTime());
            jobs.put(target.root(), job);
            jobsView.put(target.root(), job);
            log.info("fetching {} (root {})", target.label(), target.root().toShortHex());
            plan(job);
          }
          job.done.whenComplete(
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

  /** Replaces the upload limit; requests queued so far are dropped and will be retried. */
  void setUploadLimit(long bytesPerSecond) {
    post(() -> upload = new UploadCore(bytesPerSecond));
  }

  /** Fetches in progress. */
  List<TransferView> active() {
    List<TransferView> out = new ArrayList<>();
    for (FetchJob j : jobsView.values()) {
      out.add(j.view());
    }
    return out;
  }

  /** A reader of {@code root}'s data is at {@code offset}: fetch what follows it first. */
  void readerAt(ChunkId root, long offset) {
    post(
        () -> {
          FetchJob job = jobs.get(root);
          if (job != null) {
            job.core.onReaderPosition(offset, System.nanoTime());
            drain(job);
          }
        });
  }

  // ---------------------------------------------------------------- peer traffic (I/O threads)

  void onMessage(NodeId from, PeerLink link, Object message) {
    if (message instanceof ChunkFrame f) {
      onChunkFrame(from, f);
    } else if (message instanceof ChunkRequest r && !ids.allows(r.id())) {
      link.send(new ChunkRefused(r.requestId(), ChunkRefused.Reason.NOT_FOUND));
    } else if (message instanceof ChunkRequest r) {
      post(
          () -> {
            uploadLinks.put(from, link);
            upload.onRequest(from, r, System.nanoTime());
            drainUpload();
          });
    } else if (message instanceof Cancel c) {
      post(() -> upload.onCancel(from, c.requestId()));
    } else if (message instanceof ChunkRefused r) {
      Pending p = requestIndex.remove(r.requestId());
      if (p != null) {
        post(
            () -> {
              p.job().core.onRefused(from, r.requestId(), r.reason(), System.nanoTime());
              drain(p.job());
            });
      }
    } else if (message instanceof HaveQuery q && !ids.allows(q.root())) {
      link.send(new HaveReply(q.root(), false, ChunkBitmap.empty()));
    } else if (message instanceof HaveQuery q) {
      post(() -> answerHaveQuery(from, link, q.root()));
    } else if (message instanceof HaveReply r) {
      post(() -> onHave(from, r.root(), r.all(), r.have()));
    } else if (message instanceof HaveUpdate u) {
      post(() -> onHave(from, u.root(), false, u.added()));
    }
  }

  void onWritability(PeerLink link, boolean writable) {
    post(
        () -> {
          if (link.equals(uploadLinks.get(link.peer()))) {
            upload.onWritable(link.peer(), writable);
            if (writable) {
              drainUpload();
            }
          }
        });
  }

  void onDisconnected(PeerLink link) {
    post(
        () -> {
          NodeId peer = link.peer();
          if (link.equals(uploadLinks.get(peer))) {
            uploadLinks.remove(peer);
            upload.onPeerGone(peer);
          }
          for (FetchJob job : jobs.values()) {
            job.interested.remove(peer, link);
          }
        });
  }

  /** Gossip says the member is gone: its requests go elsewhere at once. */
  void onMemberGone(NodeId peer) {
    post(
        () -> {
          for (FetchJob job : jobs.values()) {
            if (job.knownPeers.remove(peer)) {
              job.core.onPeerGone(peer, System.nanoTime());
              drain(job);
            }
          }
        });
  }

  private void onChunkFrame(NodeId from, ChunkFrame frame) {
    Pending p = requestIndex.remove(frame.requestId());
    int wire = frame.wireBytes();
    Optional<VerifiedChunk> chunk = Optional.empty();
    IOException writeFailure = null;
    try {
      if (p == null) {
        metrics.dropped("stray_chunk");
        return;
      }
      if (frame.id().equals(p.id())) {
        chunk = VerifiedChunk.verify(p.id(), payload(frame));
      }
      if (chunk.isPresent()) {
        writeFailure = keep(p.job(), chunk.get());
      }
    } catch (IOException | RuntimeException e) {
      log.debug("chunk {} from {} unusable: {}", frame.id(), from.shortHex(), e.toString());
    } finally {
      frame.release();
    }
    if (p == null) {
      return;
    }
    if (writeFailure != null) {
      IOException why =
          new IOException(
              "cannot write what arrives: " + IoErrors.describe(writeFailure), writeFailure);
      post(() -> fail(p.job(), why));
      return;
    }
    boolean verified = chunk.isPresent();
    if (!verified) {
      metrics.badChunks.inc();
    }
    post(
        () -> {
          FetchJob job = p.job();
          job.core.onChunk(from, frame.requestId(), verified, wire, System.nanoTime());
          if (verified) {
            job.chunksFetched++;
            job.servingPeers.add(from);
            int[] leaves = job.leavesById.get(p.id());
            if (leaves != null) {
              for (int leaf : leaves) {
                job.have.set(leaf);
                job.newSinceUpdate.set(leaf);
              }
            }
          }
          drain(job);
        });
  }

  /**
   * Writes a verified chunk where it belongs: the job's direct output for its data, else the store.
   * A failure here is this node's (a full disk), never the sender's.
   */
  private IOException keep(FetchJob job, VerifiedChunk chunk) {
    try {
      if (job.direct != null && job.direct.places(chunk.id())) {
        job.direct.write(chunk.id(), chunk.bytes());
      } else {
        sink.add(chunk);
      }
      return null;
    } catch (IOException e) {
      return e;
    }
  }

  /** The chunk's bytes, decompressed when the frame says so. */
  private static ByteBuffer payload(ChunkFrame f) throws IOException {
    ByteBuf payload = f.payload();
    if (f.encoding() == ChunkFrame.ENCODING_RAW) {
      return payload.nioBuffer();
    }
    byte[] src = new byte[payload.readableBytes()];
    payload.getBytes(payload.readerIndex(), src);
    byte[] raw = new byte[f.rawLength()];
    int n;
    try {
      n = CompressionPolicy.decompressor().decompress(src, 0, src.length, raw, 0, raw.length);
    } catch (net.jpountz.lz4.LZ4Exception e) {
      throw new IOException("bad LZ4 block", e);
    }
    if (n != raw.length) {
      throw new IOException("LZ4 block decompressed to " + n + " bytes, header says " + raw.length);
    }
    return ByteBuffer.wrap(raw);
  }

  // ---------------------------------------------------------------- fetching (transfer loop)

  private void plan(FetchJob job) {
    if (job.planning) {
      job.replanWanted = true;
      return;
    }
    job.planning = true;
    workers.execute(
        () -> {
          try {
            SnapshotPlanner.Plan plan = SnapshotPlanner.plan(reader, job.root());
            if (job.direct != null && plan.metadataComplete() && !job.direct.isOpen()) {
              try {
                openDirect(job.direct, plan.root());
              } catch (IOException e) {
                // The target's own complaint (it exists, a path escapes it) says it best.
                post(() -> fail(job, e));
                return;
              }
            }
            post(() -> applyPlan(job, plan));
          } catch (IOException | RuntimeException e) {
            post(() -> fail(job, "cannot plan " + job.target.label() + ": " + e.getMessage()));
          }
        });
  }

  /** Opens a direct output and writes into it the data chunks the store already holds. */
  private void openDirect(DirectOutput out, SnapshotRoot root) throws IOException {
    out.open(root, reader.fileTable(root));
    if (root.data().sizeBytes() == 0) {
      return;
    }
    LeafCursor cursor = new LeafCursor(reader, root.data(), 0);
    while (cursor.next()) {
      if (store.contains(cursor.id())) {
        out.writeAt(cursor.offset(), store.read(cursor.id()));
      }
    }
  }

  private void applyPlan(FetchJob job, SnapshotPlanner.Plan plan) {
    job.planning = false;
    if (job.done.isDone()) {
      return;
    }
    long now = System.nanoTime();
    if (plan.root() != null) {
      job.createdMillis = plan.root().createdMillis();
    }
    for (FetchCore.Wanted w : plan.missingMetadata()) {
      job.metadataIds.add(w.id());
    }
    job.core.addWanted(plan.missingMetadata(), 0, now);
    if (plan.metadataComplete() && !job.dataPlanned) {
      job.dataPlanned = true;
      job.totalLeaves = plan.totalLeaves();
      job.have = plan.have().toBitSet();
      Map<ChunkId, List<Integer>> leaves = new HashMap<>();
      Map<ChunkId, List<Long>> offsets = new HashMap<>();
      long total = 0;
      for (FetchCore.Wanted w : plan.missingData()) {
        leaves.computeIfAbsent(w.id(), k -> new ArrayList<>()).add(w.leafIndex());
        offsets.computeIfAbsent(w.id(), k -> new ArrayList<>()).add(w.offset());
        total += w.sizeBytes();
      }
      leaves.forEach(
          (id, l) -> job.leavesById.put(id, l.stream().mapToInt(Integer::intValue).toArray()));
      if (job.direct != null) {
        offsets.forEach(job.direct::place);
      }
      job.totalBytes = total;
      job.haveSnapshot = ChunkBitmap.of(job.have, job.totalLeaves);
      job.core.addWanted(plan.missingData(), plan.totalLeaves(), now);
      job.core.onPlanComplete(now);
      if (job.direct == null) {
        CatalogEntry partial = job.entry(false);
        workers.execute(() -> putCatalog(partial, true));
      }
    }
    if (job.replanWanted) {
      job.replanWanted = false;
      plan(job);
    }
    refreshPeers(job, now);
    drain(job);
  }

  /** Metadata became durable: the walk can go further. */
  private void onCommitted(List<ChunkId> ids) {
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
  }

  private void refreshPeers(FetchJob job, long now) {
    List<PeerChoice.Candidate> holders = new ArrayList<>();
    for (SwarmDirectory.Holder h : directory.holders(job.root())) {
      holders.add(new PeerChoice.Candidate(h.id(), h.complete()));
      if (h.complete() && job.knownPeers.contains(h.id())) {
        job.core.addPeer(h.id(), true, now); // a partial peer that completed
      }
    }
    for (PeerChoice.Candidate c :
        PeerChoice.choose(self, holders, job.knownPeers, PeerChoice.MAX_PEERS_PER_FETCH)) {
      job.knownPeers.add(c.id());
      job.core.addPeer(c.id(), c.complete(), now);
    }
    PeerChoice.Swap swap =
        PeerChoice.swap(self, holders, job.knownPeers, PeerChoice.MAX_PEERS_PER_FETCH);
    if (swap != null) {
      job.knownPeers.remove(swap.drop());
      job.core.onPeerReleased(swap.drop(), now);
      job.knownPeers.add(swap.add().id());
      job.core.addPeer(swap.add().id(), swap.add().complete(), now);
    }
    job.peers = job.core.activePeers();
  }

  private void onHave(NodeId from, ChunkId root, boolean all, ChunkBitmap have) {
    FetchJob job = jobs.get(root);
    if (job != null && job.knownPeers.contains(from)) {
      job.core.onHave(from, all, have, System.nanoTime());
      drain(job);
    }
  }

  private void drain(FetchJob job) {
    for (FetchCore.Outbound o; (o = job.core.pollOutbound()) != null; ) {
      Endpoint to = directory.address(o.peer());
      if (o.message() instanceof ChunkRequest r) {
        requestIndex.put(r.requestId(), new Pending(job, r.id(), o.peer()));
      } else if (o.message() instanceof Cancel c) {
        requestIndex.remove(c.requestId());
      }
      if (to == null) {
        job.knownPeers.remove(o.peer());
        job.core.onPeerGone(o.peer(), System.nanoTime());
        continue;
      }
      transport.send(to, o.message());
    }
    for (FetchEvent e; (e = job.core.pollEvent()) != null; ) {
      if (e instanceof FetchEvent.PeerBanned b) {
        metrics.peersBanned.inc();
        log.warn(
            "banned peer {} from fetching {}: it sent {} chunks that failed verification",
            b.peer().shortHex(),
            job.target.label(),
            b.badChunks());
      } else if (e instanceof FetchEvent.BadChunk b) {
        log.info(
            "chunk {} of {} from {} failed verification; fetching it elsewhere",
            b.id().toShortHex(),
            job.target.label(),
            b.peer().shortHex());
      } else if (e instanceof FetchEvent.Completed) {
        finish(job);
      }
    }
    job.doneBytes = job.core.doneBytes();
  }

  private void finish(FetchJob job) {
    if (job.finishing) {
      return;
    }
    job.finishing = true;
    workers.execute(
        () -> {
          try {
            if (job.direct == null) {
              sink.flush(); // durable before the catalog says complete
              putCatalog(job.entry(true), true);
            } else {
              job.direct.commit();
            }
          } catch (IOException e) {
            String where = job.direct == null ? "the store" : job.direct.destination().toString();
            IOException why =
                new IOException(
                    "cannot finish writing to " + where + ": " + IoErrors.describe(e), e);
            post(() -> fail(job, why));
            return;
          }
          post(
              () -> {
                jobs.remove(job.root());
                jobsView.remove(job.root());
                double seconds = (System.nanoTime() - job.startNanos) / 1e9;
                FetchResult r =
                    new FetchResult(
                        job.target.name(),
                        job.target.version(),
                        job.root().toHex(),
                        job.target.sizeBytes(),
                        job.core.doneBytes(),
                        job.core.bytesReceived(),
                        job.chunksFetched,
                        seconds,
                        job.servingPeers.size(),
                        job.core.bannedPeers().stream().map(NodeId::toHex).toList());
                for (Map.Entry<NodeId, PeerLink> e : job.interested.entrySet()) {
                  e.getValue().send(new HaveReply(job.root(), true, ChunkBitmap.empty()));
                }
                log.info(
                    "fetched {}: {} bytes new in {} chunks from {} peers in {} s",
                    job.target.label(),
                    r.fetchedBytes(),
                    r.chunksFetched(),
                    r.peers(),
                    String.format(java.util.Locale.ROOT, "%.2f", seconds));
                job.done.complete(r);
              });
        });
  }

  private void fail(FetchJob job, String why) {
    fail(job, new IOException(why));
  }

  private void fail(FetchJob job, IOException why) {
    if (job.done.isDone()) {
      return;
    }
    jobs.remove(job.root());
    jobsView.remove(job.root());
    log.warn("fetch of {} failed: {}", job.target.label(), why.getMessage());
    job.done.completeExceptionally(why);
  }

  private void putCatalog(CatalogEntry entry, boolean onlyIfNotComplete) {
    try {
      Optional<CatalogEntry> current = store.catalog().get(entry.name(), entry.version());
      if (onlyIfNotComplete
          && current.isPresent()
          && current.get().complete()
          && current.get().root().equals(entry.root())) {
        return;
      }
      store.catalog().put(entry);
      catalogChanged.accept(entry);
    } catch (IOException e) {
      log.warn("recording {} in the catalog failed: {}", entry.label(), e.getMessage());
    }
  }

  private void tick() {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    boolean sendUpdates = now - lastHaveUpdateNanos >= HAVE_UPDATE_INTERVAL_NANOS;
    if (sendUpdates) {
      lastHaveUpdateNanos = now;
    }
    for (FetchJob job : new ArrayList<>(jobs.values())) {
      job.core.onTimer(now);
      refreshPeers(job, now);
      if (sendUpdates) {
        sendHaveUpdates(job);
        double elapsed = (now - job.startNanos) / 1e9;
        job.bytesPerSecond = elapsed > 0 ? job.core.doneBytes() / elapsed : 0;
      }
      if (job.core.doneBytes() != job.lastDoneBytes || job.core.remainingChunks() == 0) {
        job.lastDoneBytes = job.core.doneBytes();
        job.lastProgressNanos = now;
      } else if (job.core.activePeers() == 0
          && now - job.lastProgressNanos > NO_PEER_TIMEOUT_NANOS) {
        fail(job, "no reachable member holds " + job.target.label());
        continue;
      } else if (now - job.lastProgressNanos > STALL_TIMEOUT_NANOS) {
        fail(job, "no progress for " + STALL_TIMEOUT_NANOS / 1_000_000_000L + " s");
        continue;
      }
      drain(job);
    }
    drainUpload();
    uploadQueued = upload.queued();
  }

  private void sendHaveUpdates(FetchJob job) {
    if (job.newSinceUpdate.isEmpty() || !job.dataPlanned || job.direct != null) {
      return;
    }
    ChunkBitmap added = ChunkBitmap.of(job.newSinceUpdate, job.totalLeaves);
    job.newSinceUpdate = new java.util.BitSet();
    job.haveSnapshot = ChunkBitmap.of(job.have, job.totalLeaves);
    for (PeerLink link : job.interested.values()) {
      link.send(new HaveUpdate(job.root(), added));
    }
  }

  // ---------------------------------------------------------------- serving (transfer loop)

  private void answerHaveQuery(NodeId from, PeerLink link, ChunkId root) {
    FetchJob job = jobs.get(root);
    if (job != null) {
      // A direct fetch keeps no data to serve.
      boolean serves = job.dataPlanned && job.direct == null;
      job.interested.put(from, link);
      link.send(
          new HaveReply(
              root,
              false,
              serves ? ChunkBitmap.of(job.have, job.totalLeaves) : ChunkBitmap.empty()));
      return;
    }
    workers.execute(
        () -> {
          boolean complete =
              store.catalog().entries().stream()
                  .anyMatch(e -> e.root().equals(root) && e.complete());
          if (complete) {
            link.send(new HaveReply(root, true, ChunkBitmap.empty()));
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
                "cannot tell what {} holds of {}: {}",
                self.shortHex(),
                root.toShortHex(),
                e.toString());
          }
          link.send(new HaveReply(root, false, have));
        });
  }

  private void drainUpload() {
    long now = System.nanoTime();
    for (FetchCore.Outbound o; (o = upload.pollOutbound()) != null; ) {
      PeerLink link = uploadLinks.get(o.peer());
      if (link != null) {
        link.send(o.message());
      }
    }
    for (UploadCore.Serve s; (s = upload.pollServe(now)) != null; ) {
      serve(s);
    }
  }

  private void serve(UploadCore.Serve s) {
    PeerLink link = uploadLinks.get(s.peer());
    if (link == null || !link.isActive()) {
      upload.onServed(s.peer(), 0, System.nanoTime());
      return;
    }
    server.serve(s, link, upload.rateBytesPerSecond());
  }

  private void served(UploadCore.Serve s, int wireBytes) {
    if (wireBytes > 0) {
      metrics.chunkBytesSent(wireBytes);
      metrics.chunksServed.inc();
    }
    post(
        () -> {
          upload.onServed(s.peer(), wireBytes, System.nanoTime());
          drainUpload();
        });
  }

  /** Runs a task on the transfer loop; after close, quietly drops it. */
  private void post(Runnable task) {
    if (closed) {
      return;
    }
    try {
      loop.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      if (!closed) {
        throw e;
      }
    }
  }

  @Override
  public void close() {
    ticker.cancel(false);
    try {
      loop.submit(
              () -> {
                closed = true;
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
    server.close();
  }
}
