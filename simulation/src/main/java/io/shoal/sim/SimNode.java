package io.shoal.sim;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipConfig;
import io.shoal.gossip.GossipCore;
import io.shoal.gossip.GossipEvent;
import io.shoal.gossip.GossipMessage;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Outbound;
import io.shoal.gossip.Winners;
import io.shoal.node.core.ChunkBitmap;
import io.shoal.node.core.FetchCore;
import io.shoal.node.core.FetchEvent;
import io.shoal.node.core.PeerChoice;
import io.shoal.node.core.TransferConfig;
import io.shoal.node.core.TransferMessage;
import io.shoal.node.core.TransferMessage.Cancel;
import io.shoal.node.core.TransferMessage.ChunkRefused;
import io.shoal.node.core.TransferMessage.ChunkRequest;
import io.shoal.node.core.TransferMessage.HaveQuery;
import io.shoal.node.core.TransferMessage.HaveReply;
import io.shoal.node.core.TransferMessage.HaveUpdate;
import io.shoal.node.core.UploadCore;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One simulated node: drives the real {@link GossipCore}, {@link FetchCore} and {@link UploadCore}
 * as the Netty runtime's {@code TransferService} and {@code GossipDriver} do (same peer choice,
 * same follow rule, same have updates), over the simulation's network. The store (held chunks and
 * catalog) survives a crash; everything else is memory and is lost.
 */
final class SimNode {
  /** How often an active fetch is ticked: timers, new peers, have updates (as the runtime). */
  static final long TICK_NANOS = 100_000_000L;

  final int index;
  final NodeId id;

  /** Serves corrupted bytes (a fault the scenario injects before the node starts). */
  boolean corrupt;

  Endpoint address;
  long generation;
  boolean up;
  double uploadBytesPerSecond;
  double downloadBytesPerSecond;

  // The store: kept across crashes.
  final BitSet held = new BitSet();

  /** The real store, with real payloads; null when payloads are virtual. */
  io.shoal.chunkstore.ChunkStore store;

  final TreeMap<String, TreeMap<Long, HeldVersion>> catalog = new TreeMap<>();

  // Memory: lost in a crash.
  GossipCore gossip;
  UploadCore upload;
  final TreeMap<ChunkId, Fetch> fetches = new TreeMap<>();
  private final Map<Long, Fetch> requestIndex = new HashMap<>();
  private final Map<NodeId, Endpoint> alive = new HashMap<>();
  private final Map<ChunkId, TreeMap<NodeId, Boolean>> holders = new HashMap<>();
  private final Map<ChunkId, List<NodeId>> arrivals = new HashMap<>();
  final TreeMap<String, HeldVersion> knownWinners = new TreeMap<>();
  private long fetchSerial;
  private long nextTickNanos = Long.MAX_VALUE;

  // Books.
  long uploadedBytes;
  long fetchedBytes;

  /** Chunk bytes that arrived verified and were new to the store. */
  long usefulBytes;

  /** When the driver last scheduled this node's timer, and the generation of that schedule. */
  long scheduledNanos = Long.MAX_VALUE;

  long timerGeneration;

  private final World world;
  private final GossipConfig gossipConfig;
  private final TransferConfig transferConfig;
  private final SplittableRandom random;

  /** One snapshot being fetched. */
  static final class Fetch {
    final SnapshotModel snap;
    final FetchCore core;
    final Set<NodeId> knownPeers = new HashSet<>();
    final BitSet have = new BitSet();
    BitSet newSinceUpdate = new BitSet();
    final TreeSet<NodeId> interested = new TreeSet<>();
    boolean dataPlanned;
    boolean peersDirty = true;

    /** Visible partial holders (converged directory) when peers were last refreshed. */
    int arrivalsAtRefresh;

    /** Complete holders among the chosen peers (never swapped out). */
    final Set<NodeId> completePeers = new HashSet<>();

    /** How far this fetch has looked through the holders that became visible, in order. */
    int arrivalsSeen;

    Fetch(SnapshotModel snap, FetchCore core) {
      this.snap = snap;
      this.core = core;
    }
  }

  SimNode(
      int index,
      NodeId id,
      Endpoint address,
      World world,
      GossipConfig gossipConfig,
      TransferConfig transferConfig,
      SplittableRandom random) {
    this.index = index;
    this.id = id;
    this.address = address;
    this.world = world;
    this.gossipConfig = gossipConfig;
    this.transferConfig = transferConfig;
    this.random = random;
  }

  // ---------------------------------------------------------------- life cycle

  /** Starts (or restarts) the node: a new boot generation, catalog re-announced, seeds joined. */
  void start(List<Endpoint> seeds, boolean withGossip, long nowNanos) {
    up = true;
    generation++;
    upload = new UploadCore(0);
    if (withGossip) {
      gossip =
          new GossipCore(
              gossipConfig,
              id,
              address,
              generation,
              io.shoal.gossip.ClaimAuthority.unsigned(),
              random.split(),
              nowNanos);
      for (Map.Entry<String, TreeMap<Long, HeldVersion>> e : catalog.entrySet()) {
        gossip.setCatalog(e.getKey(), value(e.getValue()), nowNanos);
      }
      gossip.join(seeds, nowNanos);
      flushGossip(nowNanos);
    }
  }

  /** Loses everything but the store. */
  void crash() {
    up = false;
    gossip = null;
    upload = null;
    fetches.clear();
    requestIndex.clear();
    alive.clear();
    holders.clear();
    arrivals.clear();
    knownWinners.clear();
    nextTickNanos = Long.MAX_VALUE;
  }

  /** Adds a snapshot as if published here: every chunk held, complete in the catalog. */
  void publish(SnapshotModel s, long nowNanos) {
    for (int c : s.metadata) {
      held.set(c);
    }
    for (int c : s.leaves) {
      held.set(c);
    }
    world.storePublished(this, s);
    putCatalog(s, true, nowNanos);
    noteWinner(s.name, catalog.get(s.name).get(s.version), nowNanos);
  }

  boolean holdsComplete(SnapshotModel s) {
    TreeMap<Long, HeldVersion> versions = catalog.get(s.name);
    HeldVersion v = versions == null ? null : versions.get(s.version);
    return v != null && v.complete() && v.root().equals(s.root);
  }

  // ---------------------------------------------------------------- timers

  /** When {@link #onTimer} next has work. */
  long nextDeadlineNanos(long nowNanos) {
    if (!up) {
      return Long.MAX_VALUE;
    }
    long next = gossip == null ? Long.MAX_VALUE : gossip.nextDeadlineNanos();
    next = Math.min(next, nextTickNanos);
    return Math.min(next, upload.nextDeadlineNanos(nowNanos));
  }

  void onTimer(long nowNanos) {
    if (gossip != null && nowNanos - gossip.nextDeadlineNanos() >= 0) {
      gossip.onTimer(nowNanos);
      flushGossip(nowNanos);
    }
    if (nowNanos - nextTickNanos >= 0) {
      nextTickNanos = fetches.isEmpty() ? Long.MAX_VALUE : nowNanos + TICK_NANOS;
      for (Fetch f : new ArrayList<>(fetches.values())) {
        f.core.onTimer(nowNanos);
        List<NodeId> visible = world.partialArrivals(f.snap.root);
        if (visible != null && visible.size() != f.arrivalsAtRefresh) {
          f.peersDirty = true;
        }
        if (f.peersDirty && f.knownPeers.size() < PeerChoice.MAX_PEERS_PER_FETCH) {
          refreshPeers(f, nowNanos);
        }
        if (f.knownPeers.size() >= PeerChoice.MAX_PEERS_PER_FETCH) {
          swapPeers(f, nowNanos);
        }
        sendHaveUpdates(f);
        drainFetch(f, nowNanos);
      }
    }
    drainUpload(nowNanos);
  }

  // ---------------------------------------------------------------- gossip

  void onGossip(NodeId from, Endpoint fromAddress, GossipMessage m, long nowNanos) {
    gossip.onMessage(from, fromAddress, m, nowNanos);
    flushGossip(nowNanos);
  }

  private void flushGossip(long nowNanos) {
    for (Outbound o; (o = gossip.pollSend()) != null; ) {
      world.sendGossip(this, o);
    }
    for (GossipEvent e; (e = gossip.pollEvent()) != null; ) {
      onGossipEvent(e, nowNanos);
    }
  }

  private void onGossipEvent(GossipEvent e, long nowNanos) {
    if (e instanceof GossipEvent.MemberUp u) {
      alive.put(u.id(), u.address());
    } else if (e instanceof GossipEvent.MemberDown d) {
      memberGone(d.id(), nowNanos);
    } else if (e instanceof GossipEvent.MemberLeft l) {
      memberGone(l.id(), nowNanos);
    } else if (e instanceof GossipEvent.MemberRemoved r) {
      memberGone(r.id(), nowNanos);
    } else if (e instanceof GossipEvent.CatalogChanged c) {
      onCatalogChanged(c.owner(), c.name(), c.value(), nowNanos);
    }
  }

  private void memberGone(NodeId peer, long nowNanos) {
    if (alive.remove(peer) == null) {
      return;
    }
    upload.onPeerGone(peer);
    for (Fetch f : new ArrayList<>(fetches.values())) {
      if (f.knownPeers.remove(peer)) {
        f.core.onPeerGone(peer, nowNanos);
        f.peersDirty = true;
        drainFetch(f, nowNanos);
      }
    }
  }

  private void onCatalogChanged(NodeId owner, String name, CatalogValue value, long nowNanos) {
    if (!owner.equals(id)) {
      // The directory: drop this owner's old roots of the name, add the new ones.
      for (TreeMap<NodeId, Boolean> byOwner : holders.values()) {
        byOwner.remove(owner);
      }
      for (HeldVersion v : value.versions()) {
        Boolean before =
            holders.computeIfAbsent(v.root(), k -> new TreeMap<>()).put(owner, v.complete());
        if (before == null && !v.complete()) {
          arrivals.computeIfAbsent(v.root(), k -> new ArrayList<>()).add(owner);
        }
        Fetch f = fetches.get(v.root());
        if (f != null) {
          f.peersDirty = true;
          if (v.complete() && f.knownPeers.contains(owner)) {
            f.core.addPeer(owner, true, nowNanos); // a partial peer that completed
            f.completePeers.add(owner);
            drainFetch(f, nowNanos);
          }
        }
      }
    }
    for (HeldVersion v : value.versions()) {
      noteWinner(name, v, nowNanos);
    }
  }

  /** The follow rule of the runtime: fetch a name's new winner unless it is held. */
  private void noteWinner(String name, HeldVersion v, long nowNanos) {
    HeldVersion known = knownWinners.get(name);
    if (known != null && !Winners.beats(v.version(), v.root(), known.version(), known.root())) {
      return;
    }
    knownWinners.put(name, v);
    world.winnerLearned(this, v.root(), nowNanos);
    if (world.follow()) {
      SnapshotModel s = world.snapshot(v.root());
      if (s != null && !holdsComplete(s)) {
        startFetch(s, nowNanos);
      }
    }
  }

  // ---------------------------------------------------------------- fetching

  void startFetch(SnapshotModel s, long nowNanos) {
    if (fetches.containsKey(s.root) || !up) {
      return;
    }
    FetchCore core = new FetchCore(s.root, transferConfig, id, ++fetchSerial << 40);
    Fetch f = new Fetch(s, core);
    fetches.put(s.root, f);
    List<FetchCore.Wanted> metadata = new ArrayList<>();
    for (int c : s.metadata) {
      if (!held.get(c)) {
        metadata.add(new FetchCore.Wanted(world.chunks().id(c), 0, -1, -1));
      }
    }
    if (metadata.isEmpty()) {
      plan(f, nowNanos);
    } else {
      core.addWanted(metadata, 0, nowNanos);
    }
    refreshPeers(f, nowNanos);
    drainFetch(f, nowNanos);
    if (nextTickNanos == Long.MAX_VALUE) {
      nextTickNanos = nowNanos + TICK_NANOS;
    }
  }

  /** The metadata is here: what data chunks are missing. */
  private void plan(Fetch f, long nowNanos) {
    f.dataPlanned = true;
    SnapshotModel s = f.snap;
    List<FetchCore.Wanted> wanted = new ArrayList<>();
    long offset = 0;
    ChunkUniverse u = world.chunks();
    for (int i = 0; i < s.leaves.length; i++) {
      int c = s.leaves[i];
      if (held.get(c)) {
        f.have.set(i);
      } else {
        wanted.add(new FetchCore.Wanted(u.id(c), u.size(c), offset, i));
      }
      offset += u.size(c);
    }
    f.core.addWanted(wanted, s.leaves.length, nowNanos);
    f.core.onPlanComplete(nowNanos);
    putCatalog(s, false, nowNanos);
  }

  private void refreshPeers(Fetch f, long nowNanos) {
    f.peersDirty = false;
    List<NodeId> visible = world.partialArrivals(f.snap.root);
    f.arrivalsAtRefresh = visible == null ? 0 : visible.size();
    List<PeerChoice.Candidate> candidates = world.convergedHolders(f.snap.root);
    if (candidates == null) {
      candidates = new ArrayList<>();
      TreeMap<NodeId, Boolean> byOwner = holders.get(f.snap.root);
      if (byOwner != null) {
        for (Map.Entry<NodeId, Boolean> e : byOwner.entrySet()) {
          if (alive.containsKey(e.getKey())) {
            candidates.add(new PeerChoice.Candidate(e.getKey(), e.getValue()));
          }
        }
      }
    }
    for (PeerChoice.Candidate c :
        PeerChoice.choose(id, candidates, f.knownPeers, PeerChoice.MAX_PEERS_PER_FETCH)) {
      f.knownPeers.add(c.id());
      f.core.addPeer(c.id(), c.complete(), nowNanos);
      if (c.complete()) {
        f.completePeers.add(c.id());
      }
    }
  }

  /** Most newly visible holders one tick looks at for a better peer. */
  static final int ARRIVALS_PER_TICK = 64;

  /**
   * The runtime's {@link PeerChoice#swap}, over the holders that became visible since the last look
   * (the runtime looks at all holders each tick; here that would cost O(N) per node per tick).
   */
  private void swapPeers(Fetch f, long nowNanos) {
    List<NodeId> seen = world.partialArrivals(f.snap.root);
    if (seen == null) {
      seen = arrivals.getOrDefault(f.snap.root, List.of());
    }
    int end = Math.min(seen.size(), f.arrivalsSeen + ARRIVALS_PER_TICK);
    if (end <= f.arrivalsSeen) {
      return;
    }
    List<PeerChoice.Candidate> candidates = new ArrayList<>();
    for (NodeId peer : f.knownPeers) {
      candidates.add(new PeerChoice.Candidate(peer, f.completePeers.contains(peer)));
    }
    for (NodeId peer : seen.subList(f.arrivalsSeen, end)) {
      if (!f.knownPeers.contains(peer) && reachable(peer)) {
        candidates.add(new PeerChoice.Candidate(peer, false));
      }
    }
    f.arrivalsSeen = end;
    PeerChoice.Swap swap =
        PeerChoice.swap(id, candidates, f.knownPeers, PeerChoice.MAX_PEERS_PER_FETCH);
    if (swap != null) {
      f.knownPeers.remove(swap.drop());
      f.core.onPeerReleased(swap.drop(), nowNanos);
      f.knownPeers.add(swap.add().id());
      f.core.addPeer(swap.add().id(), false, nowNanos);
      drainFetch(f, nowNanos);
    }
  }

  /** A catalog change seen through the converged directory. */
  void onConvergedHolder(NodeId owner, SnapshotModel s, boolean complete, long nowNanos) {
    Fetch f = fetches.get(s.root);
    if (f != null) {
      f.peersDirty = true;
      if (complete && f.knownPeers.contains(owner)) {
        f.core.addPeer(owner, true, nowNanos);
        f.completePeers.add(owner);
        drainFetch(f, nowNanos);
      }
    }
    HeldVersion v = s.held(complete);
    noteWinner(s.name, v, nowNanos);
  }

  private boolean reachable(NodeId peer) {
    return gossip != null ? alive.containsKey(peer) : world.isUp(peer);
  }

  private void drainFetch(Fetch f, long nowNanos) {
    for (FetchCore.Outbound o; (o = f.core.pollOutbound()) != null; ) {
      if (o.message() instanceof ChunkRequest r) {
        requestIndex.put(r.requestId(), f);
      } else if (o.message() instanceof Cancel c) {
        requestIndex.remove(c.requestId());
      }
      if (!reachable(o.peer())) {
        f.knownPeers.remove(o.peer());
        f.core.onPeerGone(o.peer(), nowNanos);
        continue;
      }
      world.sendTransfer(this, o.peer(), o.message());
    }
    for (FetchEvent e; (e = f.core.pollEvent()) != null; ) {
      if (e instanceof FetchEvent.BadChunk b) {
        world.badChunk(this, b.peer());
      } else if (e instanceof FetchEvent.PeerBanned b) {
        world.peerBanned(this, b.peer());
      } else if (e instanceof FetchEvent.Completed) {
        finish(f, nowNanos);
        return;
      }
    }
  }

  private void finish(Fetch f, long nowNanos) {
    fetches.remove(f.snap.root);
    putCatalog(f.snap, true, nowNanos);
    for (NodeId peer : f.interested) {
      world.sendTransfer(this, peer, new HaveReply(f.snap.root, true, ChunkBitmap.empty()));
    }
    world.fetchCompleted(this, f.snap, nowNanos);
  }

  private void sendHaveUpdates(Fetch f) {
    if (f.newSinceUpdate.isEmpty() || !f.dataPlanned) {
      return;
    }
    ChunkBitmap added = ChunkBitmap.of(f.newSinceUpdate, f.snap.leaves.length);
    f.newSinceUpdate = new BitSet();
    for (NodeId peer : f.interested) {
      world.sendTransfer(this, peer, new HaveUpdate(f.snap.root, added));
    }
  }

  /**
   * A chunk arrived: real {@code bytes} checked against the chunk's id, or (virtual payloads) the
   * modelled check, which fails when the sender corrupted it ({@code badBytes}).
   */
  void onChunk(
      NodeId from,
      long requestId,
      int chunk,
      boolean badBytes,
      java.nio.ByteBuffer bytes,
      long nowNanos) {
    Fetch f = requestIndex.remove(requestId);
    int size = world.chunks().size(chunk);
    fetchedBytes += size;
    if (f == null || !up) {
      return; // cancelled, or for a fetch lost in a crash
    }
    boolean verified;
    if (store != null) {
      var checked = io.shoal.chunkstore.VerifiedChunk.verify(world.chunks().id(chunk), bytes);
      verified = checked.isPresent();
      if (verified && !held.get(chunk)) {
        try {
          store.put(checked.get());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    } else {
      verified = !badBytes;
    }
    if (verified && !held.get(chunk)) {
      held.set(chunk);
      usefulBytes += size;
      world.chunkStored(this, chunk, badBytes);
    }
    f.core.onChunk(from, requestId, verified, size, nowNanos);
    if (verified) {
      if (!f.dataPlanned && isMetadata(f.snap, chunk)) {
        if (holdsMetadata(f.snap)) {
          plan(f, nowNanos);
        }
      } else {
        int[] leaves = f.snap.leavesOf(chunk);
        if (leaves != null) {
          for (int leaf : leaves) {
            f.have.set(leaf);
            f.newSinceUpdate.set(leaf);
          }
        }
      }
    }
    drainFetch(f, nowNanos);
  }

  private static boolean isMetadata(SnapshotModel s, int chunk) {
    for (int c : s.metadata) {
      if (c == chunk) {
        return true;
      }
    }
    return false;
  }

  private boolean holdsMetadata(SnapshotModel s) {
    for (int c : s.metadata) {
      if (!held.get(c)) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- serving

  void onTransfer(NodeId from, TransferMessage m, long nowNanos) {
    if (m instanceof ChunkRequest r) {
      upload.onRequest(from, r, nowNanos);
      drainUpload(nowNanos);
    } else if (m instanceof Cancel c) {
      upload.onCancel(from, c.requestId());
    } else if (m instanceof ChunkRefused r) {
      Fetch f = requestIndex.remove(r.requestId());
      if (f != null) {
        f.core.onRefused(from, r.requestId(), r.reason(), nowNanos);
        drainFetch(f, nowNanos);
      }
    } else if (m instanceof HaveQuery q) {
      answerHaveQuery(from, q.root());
    } else if (m instanceof HaveReply r) {
      onHave(from, r.root(), r.all(), r.have(), nowNanos);
    } else if (m instanceof HaveUpdate u) {
      onHave(from, u.root(), false, u.added(), nowNanos);
    }
  }

  private void onHave(NodeId from, ChunkId root, boolean all, ChunkBitmap have, long nowNanos) {
    Fetch f = fetches.get(root);
    if (f != null && f.knownPeers.contains(from)) {
      f.core.onHave(from, all, have, nowNanos);
      drainFetch(f, nowNanos);
    }
  }

  private void answerHaveQuery(NodeId from, ChunkId root) {
    Fetch f = fetches.get(root);
    if (f != null) {
      f.interested.add(from);
      ChunkBitmap have =
          f.dataPlanned ? ChunkBitmap.of(f.have, f.snap.leaves.length) : ChunkBitmap.empty();
      world.sendTransfer(this, from, new HaveReply(root, false, have));
      return;
    }
    SnapshotModel s = world.snapshot(root);
    if (s != null && holdsComplete(s)) {
      world.sendTransfer(this, from, new HaveReply(root, true, ChunkBitmap.empty()));
      return;
    }
    BitSet have = new BitSet();
    if (s != null && held.get(s.rootIndex)) {
      for (int i = 0; i < s.leaves.length; i++) {
        if (held.get(s.leaves[i])) {
          have.set(i);
        }
      }
    }
    int length = s == null ? 0 : s.leaves.length;
    world.sendTransfer(this, from, new HaveReply(root, false, ChunkBitmap.of(have, length)));
  }

  void drainUpload(long nowNanos) {
    for (FetchCore.Outbound o; (o = upload.pollOutbound()) != null; ) {
      world.sendTransfer(this, o.peer(), o.message());
    }
    // The link takes a few chunks at a time; the rest stay with the upload core, which picks the
    // next one fairly among peers (as Netty's writability does in the runtime).
    for (UploadCore.Serve s; world.canSend(this) && (s = upload.pollServe(nowNanos)) != null; ) {
      int chunk = world.chunks().indexOf(s.id());
      if (chunk >= 0 && held.get(chunk)) {
        world.sendChunk(this, s.peer(), s.requestId(), chunk, corrupt);
      } else {
        upload.onServed(s.peer(), 0, nowNanos);
        world.sendTransfer(
            this, s.peer(), new ChunkRefused(s.requestId(), ChunkRefused.Reason.NOT_FOUND));
      }
    }
  }

  /** A chunk this node sent finished crossing the link. */
  void onSent(NodeId to, int bytes, long nowNanos) {
    uploadedBytes += bytes;
    if (upload != null) {
      upload.onServed(to, bytes, nowNanos);
      drainUpload(nowNanos);
    }
  }

  // ---------------------------------------------------------------- catalog

  private void putCatalog(SnapshotModel s, boolean complete, long nowNanos) {
    TreeMap<Long, HeldVersion> versions = catalog.computeIfAbsent(s.name, k -> new TreeMap<>());
    HeldVersion current = versions.get(s.version);
    if (current != null && current.complete() && !complete) {
      return;
    }
    versions.put(s.version, s.held(complete));
    while (versions.size() > CatalogValue.MAX_VERSIONS) {
      versions.pollFirstEntry();
    }
    if (gossip != null) {
      gossip.setCatalog(s.name, value(versions), nowNanos);
      flushGossip(nowNanos);
    }
    world.catalogPut(this, s, complete);
  }

  private static CatalogValue value(java.util.SortedMap<Long, HeldVersion> versions) {
    return new CatalogValue(new ArrayList<>(versions.values()));
  }
}
