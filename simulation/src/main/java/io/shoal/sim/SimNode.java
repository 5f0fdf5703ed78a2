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
import io.shoal.node.core.FetchSession;
import io.shoal.node.core.TransferConfig;
import io.shoal.node.core.TransferEvent;
import io.shoal.node.core.TransferMessage;
import io.shoal.node.core.TransferMessage.HaveReply;
import io.shoal.node.core.TransferSession;
import io.shoal.node.core.UploadCore;
import io.shoal.node.core.membership.Follow;
import io.shoal.node.core.membership.FollowRule;
import io.shoal.node.core.membership.LearnedWinner;
import io.shoal.node.core.membership.LocalCatalog;
import io.shoal.node.core.membership.Membership;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One simulated node: drives the runtime's own {@link Membership} (gossip core, directory, follow
 * rule, announcing, pump) as {@code GossipDriver} does on Netty, and the runtime's own {@link
 * TransferSession} (fetches, peer choice, have updates, serving) as {@code TransferService} does,
 * over the simulation's network. The store (held chunks and catalog) survives a crash; everything
 * else is memory and is lost.
 */
final class SimNode {
  final int index;
  final NodeId id;

  /** Serves corrupted bytes (a fault the scenario injects before the node starts). */
  boolean corrupt;

  Endpoint address;

  /** The zone the node is told, empty for none. */
  String zone = "";

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
  Membership membership;

  /** Its gossip core, for the simulation's queries. */
  GossipCore gossip;

  /** The follow rule: the membership's, or a rule of its own under the converged directory. */
  private FollowRule follow;

  /** Where the membership's pump armed this node's gossip timer; MAX_VALUE when none. */
  private long gossipDeadlineNanos = Long.MAX_VALUE;

  /** This node's transfer session; null when down. */
  private TransferSession transfers;

  /** Verified chunks not visible yet. */
  private final GroupCommit commits = new GroupCommit();

  /** Fetches started before the last crash, so request ids never repeat across restarts. */
  private long fetchesBefore;

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
    transfers =
        new TransferSession(
            id, transferConfig, new SimHolders(this, world), 0, fetchesBefore, zone);
    List<String> patterns = world.follow() ? List.of("*") : List.of();
    if (withGossip) {
      gossip =
          new GossipCore(
              gossipConfig,
              id,
              address,
              zone,
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
    fetchesBefore = transfers == null ? fetchesBefore : transfers.fetchesStarted();
    commits.clear();
    transfers = null;
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
    // Without gossip the follow rule's retries need their own alarm; with it, the core's does.
    long next = membership == null ? follow.nextRetryNanos() : gossipDeadlineNanos;
    return Math.min(next, transfers.nextDeadlineNanos(nowNanos));
  }

  void onTimer(long nowNanos) {
    if (membership != null && nowNanos - gossipDeadlineNanos >= 0) {
      membership.onTimer(nowNanos);
      drainMembership(nowNanos);
    } else if (membership == null && follow != null && nowNanos - follow.nextRetryNanos() >= 0) {
      follow.onTimer(nowNanos);
      drainFollowRule(nowNanos);
    }
    transfers.onTimer(nowNanos);
    drainTransfers(nowNanos);
    drainServes(nowNanos);
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
      transfers.onPeerGone(peer, nowNanos);
      drainTransfers(nowNanos);
    }
    for (GossipEvent e; (e = membership.pollEvent()) != null; ) {
      if (e instanceof GossipEvent.CatalogChanged c && !c.owner().equals(id)) {
        onHolderChanged(c.owner(), c.value(), nowNanos);
      } else if (e instanceof GossipEvent.MemberUp u) {
        transfers.onPeerUp(u.id(), nowNanos);
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
      if (s != null && !startFetch(s, nowNanos) && up) {
        follow.onFollowFailed(f.name(), f.version(), nowNanos); // refused: too many fetches
      }
    }
  }

  /** A member's catalog changed: the fetches of its roots look at their peers again. */
  private void onHolderChanged(NodeId owner, CatalogValue value, long nowNanos) {
    for (HeldVersion v : value.versions()) {
      transfers.onHolderChanged(owner, v.root(), v.complete(), nowNanos);
      drainTransfers(nowNanos);
    }
  }

  // ---------------------------------------------------------------- fetching

  boolean isFetching(ChunkId root) {
    return transfers != null && transfers.isFetching(root);
  }

  /** Starts fetching {@code s}; whether a fetch of it runs now (false when refused or down). */
  boolean startFetch(SnapshotModel s, long nowNanos) {
    if (!up || transfers.isFetching(s.root)) {
      return up;
    }
    if (!transfers.canStartFetch()) {
      return false;
    }
    List<FetchCore.Wanted> metadata = new ArrayList<>();
    for (int c : s.metadata) {
      if (!held.get(c)) {
        metadata.add(new FetchCore.Wanted(world.chunks().id(c), 0, -1, -1));
      }
    }
    TransferSession.DataPlan data = metadata.isEmpty() ? s.dataPlan(held, world.chunks()) : null;
    transfers.startFetch(s.root, true, metadata, data, nowNanos);
    if (data != null) {
      putCatalog(s, false, nowNanos);
    }
    drainTransfers(nowNanos);
    return true;
  }

  /** A catalog change seen through the converged directory. */
  void onConvergedHolder(NodeId owner, SnapshotModel s, boolean complete, long nowNanos) {
    transfers.onHolderChanged(owner, s.root, complete, nowNanos);
    drainTransfers(nowNanos);
    follow.onAnnounced(owner, s.name, new CatalogValue(List.of(s.held(complete))));
    drainFollowRule(nowNanos);
  }

  /**
   * Carries out what the transfer session asked for: its sends, then its events. A stalled fetch
   * the session has dropped already, as the runtime does.
   */
  private void drainTransfers(long nowNanos) {
    for (FetchCore.Outbound o; (o = transfers.pollSend()) != null; ) {
      world.sendTransfer(this, o.peer(), o.message());
    }
    for (TransferEvent e; transfers != null && (e = transfers.pollEvent()) != null; ) {
      if (e instanceof TransferEvent.BadChunk b) {
        world.badChunk(this, b.peer());
      } else if (e instanceof TransferEvent.PeerBanned b) {
        world.peerBanned(this, b.peer());
      } else if (e instanceof TransferEvent.Completed c) {
        finish(c.fetch(), nowNanos);
      } else if (e instanceof TransferEvent.HaveQueried q) {
        answerHaveQuery(q.peer(), q.root());
      } else if (e instanceof TransferEvent.Stalled st) {
        SnapshotModel s = world.snapshot(st.root()); // given up: the follow rule tries it again
        if (s != null) {
          follow.onFollowFailed(s.name, s.held(false), nowNanos);
        }
      }
    }
  }

  private void finish(FetchSession f, long nowNanos) {
    SnapshotModel s = world.snapshot(f.root());
    // As the runtime's FetchFinisher: its last chunks are visible before it is listed complete.
    commitWaiting();
    putCatalog(s, true, nowNanos);
    transfers.onFetchFinished(f);
    for (FetchCore.Outbound o; (o = transfers.pollSend()) != null; ) {
      world.sendTransfer(this, o.peer(), o.message());
    }
    world.fetchCompleted(this, s, nowNanos);
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
    int size = world.chunks().size(chunk);
    fetchedBytes += size;
    if (!up) {
      return;
    }
    if (transfers.expectedChunk(from, requestId) == null) {
      return; // cancelled, or for a fetch lost in a crash
    }
    boolean verified;
    io.shoal.chunkstore.VerifiedChunk checked = null;
    if (store != null) {
      checked =
          io.shoal.chunkstore.VerifiedChunk.verify(world.chunks().id(chunk), bytes).orElse(null);
      verified = checked != null;
    } else {
      verified = !badBytes;
    }
    if (verified && !held.get(chunk) && commits.add(chunk, badBytes, checked)) {
      world.commitAfter(this, GroupCommit.COMMIT_INTERVAL_NANOS);
    }
    transfers.onChunk(from, requestId, verified, size, nowNanos);
    drainTransfers(nowNanos);
  }

  /**
   * The store's group commit: what arrived since the last one becomes visible (held, servable,
   * announced), and a fetch whose metadata is now all here plans its data.
   */
  void onCommit(long nowNanos) {
    commitWaiting();
    for (FetchSession f : new ArrayList<>(transfers.fetches())) {
      SnapshotModel s = world.snapshot(f.root());
      if (!f.isDataPlanned() && s.holdsMetadata(held)) {
        transfers.onPlan(f.root(), List.of(), s.dataPlan(held, world.chunks()), nowNanos);
        putCatalog(s, false, nowNanos);
      }
    }
    drainTransfers(nowNanos);
  }

  /** Makes what arrived since the last commit visible: held, servable, announced. */
  private void commitWaiting() {
    List<ChunkId> visible = new ArrayList<>();
    for (GroupCommit.Waiting u : commits.commit()) {
      if (u.real() != null) {
        try {
          store.put(u.real());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      held.set(u.chunk());
      usefulBytes += world.chunks().size(u.chunk());
      world.chunkStored(this, u.chunk(), u.badBytes());
      visible.add(world.chunks().id(u.chunk()));
    }
    transfers.onChunksVisible(visible);
  }

  // ---------------------------------------------------------------- serving

  void onTransfer(NodeId from, TransferMessage m, long nowNanos) {
    transfers.onMessage(from, m, nowNanos);
    drainTransfers(nowNanos);
    if (m instanceof TransferMessage.Request) {
      drainServes(nowNanos);
    }
  }

  /** Answers a have-query for a root this node is not fetching, from its store. */
  private void answerHaveQuery(NodeId from, ChunkId root) {
    SnapshotModel s = world.snapshot(root);
    if (s != null && holdsComplete(s)) {
      world.sendTransfer(this, from, new HaveReply(root, true, ChunkBitmap.empty()));
      return;
    }
    ChunkBitmap have = s == null ? ChunkBitmap.empty() : s.heldLeaves(held);
    world.sendTransfer(this, from, new HaveReply(root, false, have));
  }

  /**
   * Serves what the session picks while the link takes more: it takes a few chunks at a time; the
   * rest stay with the session, which picks the next one fairly among peers (as Netty's writability
   * does in the runtime).
   */
  private void drainServes(long nowNanos) {
    for (UploadCore.Serve s; world.canSend(this) && (s = transfers.pollServe(nowNanos)) != null; ) {
      int chunk = world.chunks().indexOf(s.id());
      if (chunk >= 0 && held.get(chunk)) {
        world.sendChunk(this, s.peer(), s.requestId(), chunk, corrupt);
      } else {
        transfers.onServeFailed(s, nowNanos);
        for (FetchCore.Outbound o; (o = transfers.pollSend()) != null; ) {
          world.sendTransfer(this, o.peer(), o.message());
        }
      }
    }
  }

  /** A chunk this node sent finished crossing the link. */
  void onSent(NodeId to, int bytes, long nowNanos) {
    uploadedBytes += bytes;
    if (transfers != null) {
      transfers.onServed(to, bytes, nowNanos);
      drainTransfers(nowNanos);
      drainServes(nowNanos);
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
