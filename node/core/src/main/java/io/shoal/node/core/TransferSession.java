package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.FetchCore.Outbound;
import io.shoal.node.core.TransferMessage.Cancel;
import io.shoal.node.core.TransferMessage.ChunkRefused;
import io.shoal.node.core.TransferMessage.HaveQuery;
import io.shoal.node.core.TransferMessage.HaveReply;
import io.shoal.node.core.TransferMessage.HaveUpdate;
import io.shoal.node.core.TransferMessage.Request;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

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
   * Most fetches running at once. A driver asks {@link #canStartFetch} first and refuses the fetch
   * with a clear error past it (nothing queues: the caller retries, as a follower does anyway).
   */
  public static final int MAX_CONCURRENT_FETCHES = 16;

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

  private final NodeId self;
  private final String zone;
  private final Holders holders;
  private final TransferConfig config;
  private final PeerRefresh peerRefresh;
  private final UploadCore upload;
  private final ArrayDeque<Outbound> outbox = new ArrayDeque<>();
  private final ArrayDeque<TransferEvent> events = new ArrayDeque<>();
  private final FetchTable fetches;
  private final RequestIndex requests;
  private final PeerBans bans;
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
    this(self, config, holders, uploadBytesPerSecond, fetchesBefore, "");
  }

  /**
   * @param zone this node's zone: fetches fill from peers in it first ({@link ZoneGate}); empty for
   *     none
   */
  public TransferSession(
      NodeId self,
      TransferConfig config,
      Holders holders,
      long uploadBytesPerSecond,
      long fetchesBefore,
      String zone) {
    this.fetchSerial = fetchesBefore;
    this.zone = Objects.requireNonNull(zone, "zone");
    this.holders = holders;
    this.self = Objects.requireNonNull(self, "self");
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(holders, "holders");
    this.fetches = new FetchTable(config, holders, outbox, events);
    this.requests = fetches.requests;
    this.bans = fetches.bans;
    this.peerRefresh = new PeerRefresh(self, holders, bans, zone);
    this.upload = new UploadCore(uploadBytesPerSecond);
  }

  /** Whether a new fetch may start: fewer than {@link #MAX_CONCURRENT_FETCHES} run. */
  public boolean canStartFetch() {
    return fetches.size() < MAX_CONCURRENT_FETCHES;
  }

  /**
   * Starts fetching {@code root}, or returns the fetch already running. {@code metadata} are the
   * metadata chunks known to be missing; {@code data} the data plan if the metadata is all here,
   * else null. Looks for peers at once. A new fetch needs {@link #canStartFetch}.
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
    if (!canStartFetch()) {
      throw new IllegalStateException(
          "no fetch of " + root + ": " + MAX_CONCURRENT_FETCHES + " fetches run already");
    }
    FetchCore core =
        new FetchCore(
            root,
            config,
            self,
            ++fetchSerial << REQUEST_ID_SHIFT,
            fetches.budget,
            zone.isEmpty() ? null : new ZoneGate(self, zone, holders, nowNanos));
    FetchSession f = new FetchSession(root, core, servesData, nowNanos);
    fetches.put(f);
    if (!metadata.isEmpty()) {
      core.addWanted(metadata, 0, nowNanos);
    }
    if (data != null) {
      f.applyPlan(data, nowNanos);
    }
    peerRefresh.choose(f, nowNanos);
    fetches.drain(f, nowNanos);
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
    fetches.drain(f, nowNanos);
  }

  /** The driver gives up on {@code root} (its writes failed, the node stops). */
  public void cancelFetch(ChunkId root, long nowNanos) {
    FetchSession f = fetches.get(root);
    if (f != null) {
      fetches.end(f);
      fetches.shareBudget(nowNanos);
    }
  }

  /** A reader of {@code root}'s data is at {@code offset}: what follows it comes first. */
  public void onReaderPosition(ChunkId root, long offset, long nowNanos) {
    FetchSession f = fetches.get(root);
    if (f != null) {
      f.core.onReaderPosition(offset, nowNanos);
      fetches.drain(f, nowNanos);
    }
  }

  /**
   * The chunk {@code requestId} named, if that request is in flight to {@code from}; else null (a
   * reply to a request this node never sent, or sent to another peer, is not to be trusted).
   */
  public ChunkId expectedChunk(NodeId from, long requestId) {
    RequestIndex.Pending p = requests.sentTo(from, requestId);
    return p == null ? null : p.id();
  }

  /** The root of the fetch request {@code requestId} serves, or null when none is in flight. */
  public ChunkId requestRoot(long requestId) {
    RequestIndex.Pending p = requests.get(requestId);
    return p == null ? null : p.fetch().root;
  }

  /**
   * The reply to {@code requestId} arrived from {@code from}: a chunk of {@code bytes} bytes, which
   * the driver checked against the id the request named. A reply from any peer but the one asked is
   * ignored.
   */
  public void onChunk(NodeId from, long requestId, boolean verified, int bytes, long nowNanos) {
    RequestIndex.Pending p = requests.sentTo(from, requestId);
    if (p == null) {
      return;
    }
    requests.remove(requestId);
    FetchSession f = p.fetch();
    if (fetches.get(f.root) != f) {
      return; // the fetch ended or was cancelled
    }
    f.core.onChunk(from, requestId, verified, bytes, nowNanos);
    if (verified) {
      f.chunksFetched++;
      f.servingPeers.add(from);
    }
    fetches.drain(f, nowNanos);
    fetches.shareBudget(nowNanos);
  }

  /**
   * These chunks became visible in the store: a read would find them now. Only then are they held
   * in the have bitmaps, and so announced (in have replies and updates) and asked for by peers; a
   * verified chunk still waiting for its commit is neither.
   */
  public void onChunksVisible(Collection<ChunkId> ids) {
    for (FetchSession f : fetches.values()) {
      f.onChunksVisible(ids);
      fetches.sendHaveUpdates(f);
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
      fetches.drain(f, nowNanos);
    }
  }

  /**
   * The member is up (again): a fetch that is not full looks at its holders at the next refresh.
   * Without this, a fetch that began while its only holder was down or not yet known alive (a
   * catalog can arrive before the member is up; a loaded member can be suspected dead and come
   * back) would wait for a catalog change that never comes, and give up with no peer.
   */
  public void onPeerUp(NodeId peer, long nowNanos) {
    for (FetchSession f : fetches.values()) {
      if (f.knownPeers.size() < PeerChoice.MAX_PEERS_PER_FETCH && !f.knownPeers.contains(peer)) {
        f.peersDirty = true;
      }
    }
  }

  /** The member is gone (gossip says so): its requests go elsewhere at once. */
  public void onPeerGone(NodeId peer, long nowNanos) {
    upload.onPeerGone(peer);
    for (FetchSession f : new ArrayList<>(fetches.values())) {
      if (f.knownPeers.remove(peer)) {
        f.core.onPeerGone(peer, nowNanos);
        f.peersDirty = true;
        fetches.drain(f, nowNanos);
      }
    }
    fetches.shareBudget(nowNanos);
  }

  /** The driver finished {@code f} (durable, recorded complete): interested peers hear so. */
  public void onFetchFinished(FetchSession f) {
    for (NodeId peer : f.interested) {
      outbox.add(new Outbound(peer, new HaveReply(f.root, true, ChunkBitmap.empty())));
    }
  }

  /** A control message from {@code from}. Chunk replies come through {@link #onChunk}. */
  public void onMessage(NodeId from, TransferMessage m, long nowNanos) {
    if (m instanceof Request r) {
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
    RequestIndex.Pending p = requests.sentTo(from, r.requestId());
    if (p == null) {
      return;
    }
    requests.remove(r.requestId());
    FetchSession f = p.fetch();
    if (fetches.get(f.root) == f) {
      f.core.onRefused(from, r.requestId(), r.reason(), nowNanos);
      fetches.drain(f, nowNanos);
      fetches.shareBudget(nowNanos);
    }
  }

  private void onHaveQuery(NodeId from, ChunkId root) {
    FetchSession f = fetches.get(root);
    if (f == null) {
      events.add(new TransferEvent.HaveQueried(from, root));
      return;
    }
    outbox.add(new Outbound(from, new HaveReply(root, false, f.haveFor(from))));
  }

  private void onHave(NodeId from, ChunkId root, boolean all, ChunkBitmap have, long nowNanos) {
    FetchSession f = fetches.get(root);
    if (f != null && f.knownPeers.contains(from) && !bans.isBanned(from, nowNanos)) {
      f.core.onHave(from, all, have, nowNanos);
      fetches.drain(f, nowNanos);
    }
  }

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

  /** Changes the upload limit; the requests queued stay queued, served at the new rate. */
  public void setUploadLimit(long bytesPerSecond) {
    upload.setRate(bytesPerSecond);
  }

  /** The upload limit, 0 for none. */
  public long uploadRateBytesPerSecond() {
    return upload.rateBytesPerSecond();
  }

  /** Requests from peers waiting to be served. */
  public int uploadQueued() {
    return upload.queued();
  }

  /** Expires requests, looks for better peers and sends have updates, when due. */
  public void onTimer(long nowNanos) {
    if (nowNanos - nextTickNanos >= 0) {
      nextTickNanos = fetches.isEmpty() ? Long.MAX_VALUE : nowNanos + PEER_REFRESH_NANOS;
      boolean bansEnded = bans.expire(nowNanos);
      for (FetchSession f : new ArrayList<>(fetches.values())) {
        f.peersDirty |= bansEnded;
        tick(f, nowNanos);
      }
      fetches.shareBudget(nowNanos);
    }
    takeUploadOutbound();
  }

  private void tick(FetchSession f, long nowNanos) {
    f.core.onTimer(nowNanos);
    if (peerRefresh.onTick(f, nowNanos)) {
      fetches.drain(f, nowNanos);
    }
    fetches.sendHaveUpdates(f);
    fetches.drain(f, nowNanos);
    checkProgress(f, nowNanos);
  }

  /** Gives up on a fetch that has made no progress for too long, by {@link StallPolicy}. */
  private void checkProgress(FetchSession f, long nowNanos) {
    StallPolicy.Verdict v = fetches.get(f.root) == f ? f.progress(nowNanos) : null;
    if (v != null && v != StallPolicy.Verdict.GO_ON) {
      fetches.end(f);
      events.add(new TransferEvent.Stalled(f.root, v));
    }
  }

  /** When {@link #onTimer} next has work; {@code Long.MAX_VALUE} for none. */
  public long nextDeadlineNanos(long nowNanos) {
    return Math.min(nextTickNanos, upload.nextDeadlineNanos(nowNanos));
  }

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

  /** The peers banned from being fetched from at {@code nowNanos}, in node id order. */
  public List<PeerBans.Ban> bans(long nowNanos) {
    return bans.inForce(nowNanos);
  }

  /** Chunk bytes requested and not yet answered, over all fetches. */
  public long inFlightBytes() {
    return fetches.budget.usedBytes();
  }

  /** Entries in the request index (each a request in flight). */
  int requestsTracked() {
    return requests.size();
  }

  private void takeUploadOutbound() {
    for (Outbound o; (o = upload.pollOutbound()) != null; ) {
      outbox.add(o);
    }
  }
}
