package io.shoal.sim;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.CatalogValue;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.GossipConfig;
import io.shoal.gossip.GossipCore;
import io.shoal.gossip.GossipEvent;
import io.shoal.gossip.GossipMessage;
import io.shoal.gossip.GossipPump;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
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
import io.shoal.node.core.membership.Follow;
import io.shoal.node.core.membership.FollowRule;
import io.shoal.node.core.membership.LearnedWinner;
import io.shoal.node.core.membership.LocalCatalog;
import io.shoal.node.core.membership.Membership;
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
 * One simulated node: drives the runtime's own {@link Membership} (gossip core, directory, follow
 * rule, announcing, pump) as {@code GossipDriver} does on Netty, and the real {@link FetchCore} and
 * {@link UploadCore} as {@code TransferService} does (same peer choice, same have updates), over
 * the simulation's network. The store (held chunks and catalog) survives a crash; everything else
 * is memory and is lost.
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

  /** This node's membership; null without gossip (the converged directory) and when down. */
  private Membership membership;

  /** Its gossip core, for the simulation's queries. */
  GossipCore gossip;

  /** The follow rule: the membership's, or a rule of its own under the converged directory. */
  private FollowRule follow;

  /** Where the membership's pump armed this node's gossip timer; MAX_VALUE when none. */
  private long gossipDeadlineNanos = Long.MAX_VALUE;

  UploadCore upload;
  final TreeMap<ChunkId, Fetch> fetches = new TreeMap<>();
  private final Map<Long, Fetch> requestIndex = new HashMap<>();
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
    List<String> patterns = world.follow() ? List.of("*") : List.of();
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
      membership =
          new Membership(
              gossip,
              patterns,
              o -> world.sendGossip(this, o),
              deadline -> gossipDeadlineNanos = deadline,
              GossipPump.Failures.rethrow());
      follow = membership.followRule();
      membership.onLocalCatalog(localCatalog(), nowNanos);
      drainMembership(nowNanos);
      membership.onJoin(seeds, nowNanos);
      drainMembership(nowNanos);
    } else {
      follow = new FollowRule(id, patterns, publisher -> null);
      follow.onLocalCatalog(localCatalog());
      drainFollowRule(nowNanos);
    }
  }

  /** Loses everything but the store. */
  void crash() {
    up = false;
    membership = null;
    gossip = null;
    follow = null;
    gossipDeadlineNanos = Long.MAX_VALUE;
    upload = null;
    fetches.clear();
    requestIndex.clear();
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
    long next = membership == null ? Long.MAX_VALUE : gossipDeadlineNanos;
    next = Math.min(next, nextTickNanos);
    return Math.min(next, upload.nextDeadlineNanos(nowNanos));
  }

  void onTimer(long nowNanos) {
    if (membership != null && nowNanos - gossipDeadlineNanos >= 0) {
      membership.onTimer(nowNanos);
      drainMembership(nowNanos);
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
    membership.onMessage(from, fromAddress, m, nowNanos);
    drainMembership(nowNanos);
  }

  /** The winner of {@code name} as this node knows it; null when it knows none. */
  HeldVersion knownWinner(String name) {
    return follow == null ? null : follow.knownWinner(name);
  }

  /** Carries out what the membership reported after an input. */
  private void drainMembership(long nowNanos) {
    for (NodeId peer; (peer = membership.pollGone()) != null; ) {
      memberGone(peer, nowNanos);
    }
    for (GossipEvent e; (e = membership.pollEvent()) != null; ) {
      if (e instanceof GossipEvent.CatalogChanged c && !c.owner().equals(id)) {
        onHolderChanged(c.owner(), c.value(), nowNanos);
      }
    }
    drainFollowRule(nowNanos);
  }

  private void drainFollowRule(long nowNanos) {
    for (LearnedWinner w; (w = follow.pollWinner()) != null; ) {
      world.winnerLearned(this, w.version().root(), nowNanos);
    }
    for (Follow f; (f = follow.pollFollow()) != null; ) {
      SnapshotModel s = world.snapshot(f.version().root());
      if (s != null) {
        startFetch(s, nowNanos);
      }
    }
  }

  private void memberGone(NodeId peer, long nowNanos) {
    upload.onPeerGone(peer);
    for (Fetch f : new ArrayList<>(fetches.values())) {
      if (f.knownPeers.remove(peer)) {
        f.core.onPeerGone(peer, nowNanos);
        f.peersDirty = true;
        drainFetch(f, nowNanos);
      }
    }
  }

  /** A member's catalog changed: the fetches of its roots look at their peers again. */
  private void onHolderChanged(NodeId owner, CatalogValue value, long nowNanos) {
    for (HeldVersion v : value.versions()) {
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

  /** The holders of {@code root} the membership's directory knows, live, in id order. */
  private List<PeerChoice.Candidate> gossipHolders(ChunkId root) {
    return membership.directory().of(root);
  }

  /** The partial holders of {@code root} in the order the directory saw them appear. */
  private List<NodeId> gossipArrivals(ChunkId root) {
    return membership.directory().arrivals(root);
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
      candidates = gossipHolders(f.snap.root);
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
      seen = gossipArrivals(f.snap.root);
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
    follow.onAnnounced(owner, s.name, new CatalogValue(List.of(s.held(complete))));
    drainFollowRule(nowNanos);
  }

  private boolean reachable(NodeId peer) {
    return membership != null ? membership.directory().isUp(peer) : world.isUp(peer);
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
    if (membership != null) {
      membership.onLocalCatalog(localCatalog(), nowNanos);
      drainMembership(nowNanos);
    } else if (follow != null) {
      follow.onLocalCatalog(localCatalog());
      drainFollowRule(nowNanos);
    }
    world.catalogPut(this, s, complete);
  }

  /** The catalog model as the membership takes it (unsigned: no credentials to carry). */
  private LocalCatalog localCatalog() {
    java.util.SortedMap<String, List<HeldVersion>> versions = new TreeMap<>();
    catalog.forEach((name, byVersion) -> versions.put(name, new ArrayList<>(byVersion.values())));
    return new LocalCatalog(versions, Map.of());
  }
}
