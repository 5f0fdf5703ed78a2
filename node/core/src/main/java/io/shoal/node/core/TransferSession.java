package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.FetchCore.Outbound;
import io.shoal.node.core.TransferMessage.Cancel;
import io.shoal.node.core.TransferMessage.ChunkRefused;
import io.shoal.node.core.TransferMessage.ChunkRequest;
import io.shoal.node.core.TransferMessage.HaveQuery;
import io.shoal.node.core.TransferMessage.HaveReply;
import io.shoal.node.core.TransferMessage.HaveUpdate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One node's side of the transfer protocol, sans-IO: the fetches it runs (one {@link FetchSession}
 * per snapshot root, each with its {@link FetchCore}), the requests it has in flight (each bound to
 * the peer it was sent to), the peers each fetch talks to ({@link PeerChoice}), its have bitmaps
 * and the have updates it owes interested peers, and the serving of other nodes' requests ({@link
 * UploadCore}). The Netty runtime and the simulator drive this same class.
 *
 * <p>Inputs are {@code on…} methods with the current time; outputs are {@link #pollSend()}
 * (messages to peers), {@link #pollEvent()} (what the driver must act on), {@link #pollServe}
 * (chunk reads to serve) and {@link #nextDeadlineNanos}. After every input a driver drains sends,
 * then events, then serves; each queue holds only what one input produced, so none grows without
 * bound. Single-threaded.
 */
public final class TransferSession {
  /** How often fetches look for better peers and send have updates while any runs. */
  public static final long PEER_REFRESH_NANOS = 100_000_000L;

  /** Request ids of successive fetches start this far apart, so no two fetches share one. */
  static final int REQUEST_ID_SHIFT = 40;

  /**
   * The data chunks a fetch lacks, once its metadata is known.
   *
   * @param missing the data chunks to fetch
   * @param totalLeaves the snapshot's count of data chunks
   * @param have the data chunk indexes already held
   */
  public record DataPlan(List<FetchCore.Wanted> missing, int totalLeaves, BitSet have) {
    public DataPlan {
      Objects.requireNonNull(missing, "missing");
      Objects.requireNonNull(have, "have");
    }
  }

  /** A request in flight: the fetch it serves, the chunk it names, the peer it was sent to. */
  private record Pending(FetchSession fetch, ChunkId id, NodeId peer) {}

  private final NodeId self;
  private final TransferConfig config;
  private final Holders holders;
  private final PeerRefresh peerRefresh;
  private UploadCore upload;
  private final TreeMap<ChunkId, FetchSession> fetches = new TreeMap<>();
  private final Map<Long, Pending> requests = new HashMap<>();
  private final ArrayDeque<Outbound> outbox = new ArrayDeque<>();
  private final ArrayDeque<TransferEvent> events = new ArrayDeque<>();
  private long fetchSerial;
  private long nextTickNanos = Long.MAX_VALUE;

  /**
   * @param holders who holds what, as the membership last said
   * @param uploadBytesPerSecond upload limit, or 0 for none
   */
  public TransferSession(
      NodeId self, TransferConfig config, Holders holders, long uploadBytesPerSecond) {
    this(self, config, holders, uploadBytesPerSecond, 0);
  }

  /**
   * @param fetchesBefore fetches the earlier sessions of this node started (before a restart), so
   *     that request ids never repeat and a late reply to the old session is not taken for new
   */
  public TransferSession(
      NodeId self,
      TransferConfig config,
      Holders holders,
      long uploadBytesPerSecond,
      long fetchesBefore) {
    this.fetchSerial = fetchesBefore;
    this.self = Objects.requireNonNull(self, "self");
    this.config = Objects.requireNonNull(config, "config");
    this.holders = Objects.requireNonNull(holders, "holders");
    this.peerRefresh = new PeerRefresh(self, holders);
    this.upload = new UploadCore(uploadBytesPerSecond);
  }

  // ---------------------------------------------------------------- fetching: inputs

  /**
   * Starts fetching {@code root}, or returns the fetch already running. {@code metadata} are the
   * metadata chunks known to be missing; {@code data} the data plan if the metadata is all here,
   * else null. Looks for peers at once.
   *
   * @param servesData whether this node keeps the data chunks (and so can serve them)
   */
  public FetchSession startFetch(
      ChunkId root,
      boolean servesData,
      List<FetchCore.Wanted> metadata,
      DataPlan data,
      long nowNanos) {
    FetchSession existing = fetches.get(root);
    if (existing != null) {
      return existing;
    }
    FetchCore core = new FetchCore(root, config, self, ++fetchSerial << REQUEST_ID_SHIFT);
    FetchSession f = new FetchSession(root, core, servesData, nowNanos);
    fetches.put(root, f);
    if (!metadata.isEmpty()) {
      core.addWanted(metadata, 0, nowNanos);
    }
    if (data != null) {
      f.applyPlan(data, nowNanos);
    }
    peerRefresh.choose(f, nowNanos);
    drain(f, nowNanos);
    if (nextTickNanos == Long.MAX_VALUE) {
      nextTickNanos = nowNanos + PEER_REFRESH_NANOS;
    }
    return f;
  }

  /**
   * More of {@code root}'s plan is known: metadata chunks still missing, and the data plan once the
   * metadata is all here (null before). A data plan is taken once.
   */
  public void onPlan(ChunkId root, List<FetchCore.Wanted> metadata, DataPlan data, long nowNanos) {
    FetchSession f = fetches.get(root);
    if (f == null) {
      return;
    }
    if (!metadata.isEmpty()) {
      f.core.addWanted(metadata, 0, nowNanos);
    }
    if (data != null && !f.dataPlanned) {
      f.applyPlan(data, nowNanos);
    }
    drain(f, nowNanos);
  }

  /** The driver gives up on {@code root} (its writes failed, the node stops). */
  public void cancelFetch(ChunkId root) {
    FetchSession f = fetches.remove(root);
    if (f != null) {
      forgetRequests(f);
    }
  }

  /**
   * Forgets the requests of a fetch that ended: a late reply to one is stray. Without this, the
   * index kept an entry for each request its fetch dropped without a cancel (a peer gone or banned)
   * for as long as the node ran.
   */
  private void forgetRequests(FetchSession f) {
    requests.values().removeIf(p -> p.fetch == f);
  }

  /** A reader of {@code root}'s data is at {@code offset}: what follows it comes first. */
  public void onReaderPosition(ChunkId root, long offset, long nowNanos) {
    FetchSession f = fetches.get(root);
    if (f != null) {
      f.core.onReaderPosition(offset, nowNanos);
      drain(f, nowNanos);
    }
  }

  /**
   * The chunk {@code requestId} named, if that request is in flight to {@code from}; else null (a
   * reply to a request this node never sent, or sent to another peer, is not to be trusted).
   */
  public ChunkId expectedChunk(NodeId from, long requestId) {
    Pending p = requests.get(requestId);
    return p != null && p.peer.equals(from) ? p.id : null;
  }

  /** The root of the fetch request {@code requestId} serves, or null when none is in flight. */
  public ChunkId requestRoot(long requestId) {
    Pending p = requests.get(requestId);
    return p == null ? null : p.fetch.root;
  }

  /**
   * The reply to {@code requestId} arrived from {@code from}: a chunk of {@code bytes} bytes, which
   * the driver checked against the id the request named. A reply from any peer but the one asked is
   * ignored.
   */
  public void onChunk(NodeId from, long requestId, boolean verified, int bytes, long nowNanos) {
    Pending p = requests.get(requestId);
    if (p == null || !p.peer.equals(from)) {
      return;
    }
    requests.remove(requestId);
    FetchSession f = p.fetch;
    if (fetches.get(f.root) != f) {
      return; // the fetch ended or was cancelled
    }
    f.core.onChunk(from, requestId, verified, bytes, nowNanos);
    if (verified) {
      f.chunksFetched++;
      f.servingPeers.add(from);
    }
    drain(f, nowNanos);
  }

  /**
   * These chunks became visible in the store: a read would find them now. Only then are they held
   * in the have bitmaps, and so announced (in have replies and updates) and asked for by peers; a
   * verified chunk still waiting for its commit is neither.
   */
  public void onChunksVisible(Collection<ChunkId> ids) {
    for (FetchSession f : fetches.values()) {
      for (ChunkId id : ids) {
        int[] leaves = f.leavesById.get(id);
        if (leaves != null) {
          for (int leaf : leaves) {
            f.have.set(leaf);
            f.newSinceUpdate.set(leaf);
          }
        }
      }
      sendHaveUpdates(f);
    }
  }

  /** A member holds {@code root} (completely or not) as gossip now says. */
  public void onHolderChanged(NodeId owner, ChunkId root, boolean complete, long nowNanos) {
    FetchSession f = fetches.get(root);
    if (f == null) {
      return;
    }
    f.peersDirty = true;
    if (complete && f.knownPeers.contains(owner)) {
      f.core.addPeer(owner, true, nowNanos); // a partial peer that completed
      f.completePeers.add(owner);
      drain(f, nowNanos);
    }
  }

  /** The member is gone (gossip says so): its requests go elsewhere at once. */
  public void onPeerGone(NodeId peer, long nowNanos) {
    upload.onPeerGone(peer);
    for (FetchSession f : new ArrayList<>(fetches.values())) {
      if (f.knownPeers.remove(peer)) {
        f.core.onPeerGone(peer, nowNanos);
        f.peersDirty = true;
        drain(f, nowNanos);
      }
    }
  }

  /** The driver finished {@code f} (durable, recorded complete): interested peers hear so. */
  public void onFetchFinished(FetchSession f) {
    for (NodeId peer : f.interested) {
      outbox.add(new Outbound(peer, new HaveReply(f.root, true, ChunkBitmap.empty())));
    }
  }

  // ---------------------------------------------------------------- messages

  /** A control message from {@code from}. Chunk replies come through {@link #onChunk}. */
  public void onMessage(NodeId from, TransferMessage m, long nowNanos) {
    if (m instanceof ChunkRequest r) {
      upload.onRequest(from, r, nowNanos);
      takeUploadOutbound();
    } else if (m instanceof Cancel c) {
      upload.onCancel(from, c.requestId());
    } else if (m instanceof ChunkRefused r) {
      onRefused(from, r, nowNanos);
    } else if (m instanceof HaveQuery q) {
      onHaveQuery(from, q.root());
    } else if (m instanceof HaveReply r) {
      onHave(from, r.root(), r.all(), r.have(), nowNanos);
    } else if (m instanceof HaveUpdate u) {
      onHave(from, u.root(), false, u.added(), nowNanos);
    }
  }

  private void onRefused(NodeId from, ChunkRefused r, long nowNanos) {
    Pending p = requests.get(r.requestId());
    if (p == null || !p.peer.equals(from)) {
      return;
    }
    requests.remove(r.requestId());
    if (fetches.get(p.fetch.root) == p.fetch) {
      p.fetch.core.onRefused(from, r.requestId(), r.reason(), nowNanos);
      drain(p.fetch, nowNanos);
    }
  }

  private void onHaveQuery(NodeId from, ChunkId root) {
    FetchSession f = fetches.get(root);
    if (f == null) {
      events.add(new TransferEvent.HaveQueried(from, root));
      return;
    }
    f.interested.add(from);
    ChunkBitmap have =
        f.dataPlanned && f.servesData ? ChunkBitmap.of(f.have, f.totalLeaves) : ChunkBitmap.empty();
    outbox.add(new Outbound(from, new HaveReply(root, false, have)));
  }

  private void onHave(NodeId from, ChunkId root, boolean all, ChunkBitmap have, long nowNanos) {
    FetchSession f = fetches.get(root);
    if (f != null && f.knownPeers.contains(from)) {
      if (!all && f.dataPlanned && have.length() != f.totalLeaves) {
        return; // over another count of data chunks than the snapshot's: not expanded, dropped
      }
      f.core.onHave(from, all, have, nowNanos);
      drain(f, nowNanos);
    }
  }

  // ---------------------------------------------------------------- serving

  /** The next request to serve now (read the chunk, send it, then {@link #onServed}), or null. */
  public UploadCore.Serve pollServe(long nowNanos) {
    return upload.pollServe(nowNanos);
  }

  /** A chunk of {@code bytes} bytes finished writing to {@code peer} (0: it was not sent). */
  public void onServed(NodeId peer, long bytes, long nowNanos) {
    upload.onServed(peer, bytes, nowNanos);
  }

  /** The chunk {@code s} names could not be read: the requester is told so. */
  public void onServeFailed(UploadCore.Serve s, long nowNanos) {
    upload.onServed(s.peer(), 0, nowNanos);
    outbox.add(
        new Outbound(s.peer(), new ChunkRefused(s.requestId(), ChunkRefused.Reason.NOT_FOUND)));
  }

  /** The connection to {@code peer} can take more, or not. */
  public void onWritable(NodeId peer, boolean writable) {
    upload.onWritable(peer, writable);
  }

  /** The connection {@code peer} spoke on closed: its queued requests and its interest go. */
  public void onPeerDisconnected(NodeId peer) {
    upload.onPeerGone(peer);
    for (FetchSession f : fetches.values()) {
      f.interested.remove(peer);
    }
  }

  /** Replaces the upload limit; requests queued so far are dropped and will be retried. */
  public void setUploadLimit(long bytesPerSecond) {
    upload = new UploadCore(bytesPerSecond);
  }

  /** The upload limit, 0 for none. */
  public long uploadRateBytesPerSecond() {
    return upload.rateBytesPerSecond();
  }

  /** Requests from peers waiting to be served. */
  public int uploadQueued() {
    return upload.queued();
  }

  // ---------------------------------------------------------------- timers

  /** Expires requests, looks for better peers and sends have updates, when due. */
  public void onTimer(long nowNanos) {
    if (nowNanos - nextTickNanos >= 0) {
      nextTickNanos = fetches.isEmpty() ? Long.MAX_VALUE : nowNanos + PEER_REFRESH_NANOS;
      for (FetchSession f : new ArrayList<>(fetches.values())) {
        tick(f, nowNanos);
      }
    }
    takeUploadOutbound();
  }

  private void tick(FetchSession f, long nowNanos) {
    f.core.onTimer(nowNanos);
    if (peerRefresh.onTick(f, nowNanos)) {
      drain(f, nowNanos);
    }
    sendHaveUpdates(f);
    drain(f, nowNanos);
    checkProgress(f, nowNanos);
  }

  /** Gives up on a fetch that has made no progress for too long, by {@link StallPolicy}. */
  private void checkProgress(FetchSession f, long nowNanos) {
    if (fetches.get(f.root) != f) {
      return;
    }
    if (f.core.doneBytes() != f.lastDoneBytes || f.core.remainingChunks() == 0) {
      f.lastDoneBytes = f.core.doneBytes();
      f.lastProgressNanos = nowNanos;
      return;
    }
    StallPolicy.Verdict v = StallPolicy.check(nowNanos - f.lastProgressNanos, f.core.activePeers());
    if (v != StallPolicy.Verdict.GO_ON) {
      fetches.remove(f.root);
      forgetRequests(f);
      events.add(new TransferEvent.Stalled(f.root, v));
    }
  }

  /** When {@link #onTimer} next has work; {@code Long.MAX_VALUE} for none. */
  public long nextDeadlineNanos(long nowNanos) {
    return Math.min(nextTickNanos, upload.nextDeadlineNanos(nowNanos));
  }

  // ---------------------------------------------------------------- outputs and queries

  /** The next message to send, or null. */
  public Outbound pollSend() {
    return outbox.poll();
  }

  /** The next event, or null. */
  public TransferEvent pollEvent() {
    return events.poll();
  }

  /** Fetches this session (and those before it) started. */
  public long fetchesStarted() {
    return fetchSerial;
  }

  public boolean isFetching(ChunkId root) {
    return fetches.containsKey(root);
  }

  /** The fetch of {@code root}, or null. */
  public FetchSession fetch(ChunkId root) {
    return fetches.get(root);
  }

  /** The fetches running, in root order. */
  public Collection<FetchSession> fetches() {
    return Collections.unmodifiableCollection(fetches.values());
  }

  // ---------------------------------------------------------------- inside

  private void sendHaveUpdates(FetchSession f) {
    if (f.newSinceUpdate.isEmpty() || !f.dataPlanned || !f.servesData) {
      return;
    }
    ChunkBitmap added = ChunkBitmap.of(f.newSinceUpdate, f.totalLeaves);
    f.newSinceUpdate = new BitSet();
    for (NodeId peer : f.interested) {
      outbox.add(new Outbound(peer, new HaveUpdate(f.root, added)));
    }
  }

  /** Moves what the fetch core produced into the session's outputs. */
  private void drain(FetchSession f, long nowNanos) {
    for (Outbound o; (o = f.core.pollOutbound()) != null; ) {
      if (o.message() instanceof ChunkRequest r) {
        requests.put(r.requestId(), new Pending(f, r.id(), o.peer()));
      } else if (o.message() instanceof Cancel c) {
        requests.remove(c.requestId());
      }
      if (!holders.isUp(o.peer())) {
        f.knownPeers.remove(o.peer());
        f.core.onPeerGone(o.peer(), nowNanos);
        continue;
      }
      outbox.add(o);
    }
    for (FetchEvent e; (e = f.core.pollEvent()) != null; ) {
      if (e instanceof FetchEvent.BadChunk b) {
        events.add(new TransferEvent.BadChunk(f.root, b.peer(), b.id()));
      } else if (e instanceof FetchEvent.PeerBanned b) {
        events.add(new TransferEvent.PeerBanned(f.root, b.peer(), b.badChunks()));
      } else if (e instanceof FetchEvent.Completed) {
        fetches.remove(f.root);
        forgetRequests(f);
        events.add(new TransferEvent.Completed(f.root, f));
        return;
      }
    }
  }

  private void takeUploadOutbound() {
    for (Outbound o; (o = upload.pollOutbound()) != null; ) {
      outbox.add(o);
    }
  }
}
