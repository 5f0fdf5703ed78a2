package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.TransferMessage.Cancel;
import io.shoal.node.core.TransferMessage.ChunkRefused;
import io.shoal.node.core.TransferMessage.ChunkRequest;
import io.shoal.node.core.TransferMessage.HaveQuery;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fetch scheduler for one snapshot, as a state machine: which chunk to request from which peer,
 * when to give up on a request, whom to ban.
 *
 * <ul>
 *   <li><b>Metadata first.</b> The root and index nodes come before any data chunk: they say what
 *       the data chunks are.
 *   <li><b>Rarest first</b> among data chunks, counting from peers' bitmaps; ties go by chunk index
 *       rotated by an offset derived from this node's id, so simultaneous leechers start in
 *       different places and have something to trade (anacrolix/torrent orders by rarity, then
 *       index; a shared index order would make every leecher want the same chunk).
 *   <li><b>Windows sized by time, not count.</b> Each peer gets about its measured rate times
 *       {@link TransferConfig#targetQueueNanos} bytes in flight: a fixed count of N chunks would
 *       cap a peer at N x chunk size / RTT. A new peer's window grows by each delivery (slow start)
 *       until its rate is known; a timeout or a refusal halves it.
 *   <li><b>Endgame.</b> Once nothing is left to assign, idle peers duplicate the requests still in
 *       flight; the first copy to arrive cancels the others.
 *   <li><b>Culprits.</b> Every delivery is attributed to the peer that sent it; a chunk that fails
 *       verification goes back to be fetched elsewhere, and a peer past the ban threshold is never
 *       asked again. A peer that vanishes costs only its in-flight requests.
 *   <li><b>Streaming.</b> Chunks within the read-ahead of a reader's position come before all other
 *       data chunks, in stream order.
 * </ul>
 *
 * <p>Inputs are {@code on…}/{@code add…} methods with {@code nowNanos}; outputs are {@link
 * #pollOutbound()}, {@link #pollEvent()} and {@link #nextDeadlineNanos()}. Single-threaded.
 */
public final class FetchCore {
  /**
   * A chunk to fetch.
   *
   * @param id the chunk
   * @param sizeBytes its size if known (data chunks), else 0
   * @param offset where its bytes start in the data stream, or -1 (metadata)
   * @param leafIndex its index among the data chunks, or -1 (metadata)
   */
  public record Wanted(ChunkId id, int sizeBytes, long offset, int leafIndex) {
    public Wanted {
      Objects.requireNonNull(id, "id");
    }

    boolean isMetadata() {
      return leafIndex < 0;
    }
  }

  /**
   * A message to send.
   *
   * @param peer the recipient
   * @param message what to send
   */
  public record Outbound(NodeId peer, TransferMessage message) {}

  /** Estimate for metadata chunks before their size is known. */
  static final int METADATA_SIZE_ESTIMATE = 64 * 1024;

  private static final int PRIORITY_METADATA = 0;
  private static final int PRIORITY_STREAM = 1;
  private static final int PRIORITY_NORMAL = 2;

  /** Longest scan of the pending set for one peer before it is deemed to have nothing wanted. */
  private static final int MAX_SCAN = 8192;

  /** Pending items a partial holder is checked against before its own chunks are searched. */
  private static final int PRIORITY_SCAN = 64;

  /** A partial holder's chunks looked at per search for one this node still wants. */
  private static final int PARTIAL_SCAN = 1024;

  /** Requests the endgame looks at, oldest first, for one to copy. */
  private static final int MAX_ENDGAME_SCAN = 64;

  /** A request is late once it has taken this many times what its peer's rate predicted. */
  private static final int LATE_FACTOR = 2;

  /**
   * After a peer answers NOT_FOUND for a chunk, how long before it is asked for that chunk again.
   * Its claim to hold it may have run ahead of its store (or its store dropped the snapshot): not
   * never, since most such misses clear within a commit, but not at once either.
   */
  static final long NOT_FOUND_BACKOFF_NANOS = 1_000_000_000L;

  private final ChunkId root;
  private final TransferConfig config;
  private final long tieOffset;
  private final Map<ChunkId, Item> items = new HashMap<>();
  private final List<Item> dataByOffset = new ArrayList<>();
  private final TreeSet<Item> pending = new TreeSet<>(Item.ORDER);
  private final TreeMap<NodeId, Peer> peers = new TreeMap<>();

  /** Requests in flight, oldest first. */
  private final Map<Long, Request> requests = new LinkedHashMap<>();

  private final ArrayDeque<Outbound> outbox = new ArrayDeque<>();
  private final ArrayDeque<FetchEvent> events = new ArrayDeque<>();

  /** NOT_FOUND answers in backoff, oldest first (one backoff for all: deadlines ascend). */
  private final ArrayDeque<Refusal> refusals = new ArrayDeque<>();

  private long nextRequestId;
  private long inFlightBytes;
  private long totalBytes;
  private long doneBytes;
  private int totalLeaves;
  private boolean planComplete;
  private boolean completed;
  private long readerOffset = -1;
  private long bytesReceived;
  private final RateEstimator received = new RateEstimator();
  private int remaining;
  private long duplicateBytes;

  private static final class Item {
    /** Priority, then rarest, then the rotated tie-break, then the id (written out: it is hot). */
    static final Comparator<Item> ORDER =
        (a, b) -> {
          if (a.priority != b.priority) {
            return Integer.compare(a.priority, b.priority);
          }
          if (a.availability != b.availability) {
            return Integer.compare(a.availability, b.availability);
          }
          if (a.tieKey != b.tieKey) {
            return Long.compare(a.tieKey, b.tieKey);
          }
          return a.wanted.id().compareTo(b.wanted.id());
        };

    final Wanted wanted;
    final int[] leaves;
    int priority;
    int availability;
    long tieKey;
    int inFlight;
    boolean done;

    /** Requests in flight for this item: one, or a few in the endgame. */
    final List<Request> requests = new ArrayList<>(2);

    final Set<NodeId> badFrom = new HashSet<>();

    /** Peers that answered NOT_FOUND for this chunk, until their backoff ends. */
    final Set<NodeId> refusedBy = new HashSet<>(2);

    /** Whether {@code peer} is not to be asked for this chunk (now). */
    boolean excludes(NodeId peer) {
      return badFrom.contains(peer) || refusedBy.contains(peer);
    }

    Item(Wanted wanted, int[] leaves) {
      this.wanted = wanted;
      this.leaves = leaves;
    }

    int size() {
      return wanted.sizeBytes() > 0 ? wanted.sizeBytes() : METADATA_SIZE_ESTIMATE;
    }
  }

  private static final class Peer {
    final NodeId id;
    final boolean metadataHolder;
    boolean all;
    BitSet have = new BitSet();

    /** Where the next search of {@link #have} starts. */
    int cursor;

    /**
     * A full search found nothing this peer can serve; nothing will be found until its bitmap or
     * the pending set grows. Spares a scan per peer per event (a swarm's leechers mostly hold
     * nothing a given fetcher still wants).
     */
    boolean exhausted;

    final RateEstimator rate = new RateEstimator();
    long window;
    long inFlightBytes;
    int strikes;
    boolean banned;
    final Set<Long> requests = new HashSet<>();

    Peer(NodeId id, boolean metadataHolder, long window) {
      this.id = id;
      this.metadataHolder = metadataHolder;
      this.window = window;
    }

    boolean canServe(Item item) {
      if (banned || item.excludes(id)) {
        return false;
      }
      if (item.wanted.isMetadata()) {
        return metadataHolder || all;
      }
      if (all) {
        return true;
      }
      for (int leaf : item.leaves) {
        if (have.get(leaf)) {
          return true;
        }
      }
      return false;
    }
  }

  /** A NOT_FOUND answer whose backoff ends at {@code untilNanos}. */
  private record Refusal(Item item, NodeId peer, long untilNanos) {}

  private static final class Request {
    final long id;
    final Peer peer;
    final Item item;
    final long deadlineNanos;

    /** When the answer is overdue by the peer's measured rate: past it, the endgame may copy it. */
    final long lateNanos;

    Request(long id, Peer peer, Item item, long deadlineNanos, long lateNanos) {
      this.id = id;
      this.peer = peer;
      this.item = item;
      this.deadlineNanos = deadlineNanos;
      this.lateNanos = lateNanos;
    }
  }

  /**
   * @param self this node, whose id rotates the tie-break order
   */
  public FetchCore(ChunkId root, TransferConfig config, NodeId self) {
    this(root, config, self, 0);
  }

  /**
   * @param self this node, whose id rotates the tie-break order
   * @param requestIdBase request ids start above it, so several fetches never share one
   */
  public FetchCore(ChunkId root, TransferConfig config, NodeId self, long requestIdBase) {
    this.root = Objects.requireNonNull(root, "root");
    this.config = Objects.requireNonNull(config, "config");
    this.tieOffset = self.low() & 0x7fff_ffffL;
    this.nextRequestId = requestIdBase + 1;
  }

  public ChunkId root() {
    return root;
  }

  // ---------------------------------------------------------------- inputs

  /**
   * A peer that may hold the snapshot: a complete holder ({@code all}) or a partial one (which
   * holds every metadata chunk). Asks it which chunks it has.
   */
  public void addPeer(NodeId id, boolean all, long nowNanos) {
    Peer p = peers.get(id);
    if (p == null) {
      p = new Peer(id, true, config.minPeerWindowBytes());
      peers.put(id, p);
      if (!all) {
        outbox.add(new Outbound(id, new HaveQuery(root)));
      }
    }
    if (all && !p.all) {
      p.all = true;
      p.exhausted = false;
      adjustAvailabilityAll(+1);
    }
    schedule(nowNanos);
  }

  /** A peer's bitmap, or its claim to hold everything. */
  public void onHave(NodeId id, boolean all, ChunkBitmap have, long nowNanos) {
    Peer p = peers.get(id);
    if (p == null || p.banned) {
      return;
    }
    if (all && !p.all) {
      p.all = true;
      p.exhausted = false;
      adjustAvailabilityAll(+1);
    } else if (!p.all) {
      BitSet added = have.toBitSet();
      added.andNot(p.have);
      p.have.or(added);
      p.exhausted &= added.isEmpty();
      for (int leaf = added.nextSetBit(0); leaf >= 0; leaf = added.nextSetBit(leaf + 1)) {
        Item item = leafItem(leaf);
        if (item != null) {
          rekey(item, () -> item.availability++);
        }
      }
    }
    schedule(nowNanos);
  }

  /** The peer disconnected or left: its requests go elsewhere. */
  public void onPeerGone(NodeId id, long nowNanos) {
    removePeer(id, false, nowNanos);
  }

  /**
   * The driver let a live peer go (to talk to a better one): its requests are cancelled with it and
   * go elsewhere.
   */
  public void onPeerReleased(NodeId id, long nowNanos) {
    removePeer(id, true, nowNanos);
  }

  private void removePeer(NodeId id, boolean cancel, long nowNanos) {
    Peer p = peers.remove(id);
    if (p == null) {
      return;
    }
    if (cancel) {
      List<Long> ids = new ArrayList<>(p.requests);
      ids.sort(Long::compare);
      for (long r : ids) {
        outbox.add(new Outbound(id, new Cancel(r)));
      }
    }
    dropRequests(p);
    if (p.all) {
      adjustAvailabilityAll(-1);
    } else {
      for (int leaf = p.have.nextSetBit(0); leaf >= 0; leaf = p.have.nextSetBit(leaf + 1)) {
        Item item = leafItem(leaf);
        if (item != null) {
          rekey(item, () -> item.availability--);
        }
      }
    }
    schedule(nowNanos);
  }

  /**
   * Chunks to fetch. Metadata chunks may be added at any time; data chunks once the metadata is
   * known, with {@code totalLeaves} the snapshot's count of data chunks.
   */
  public void addWanted(List<Wanted> wanted, int totalLeaves, long nowNanos) {
    this.totalLeaves = Math.max(this.totalLeaves, totalLeaves);
    Map<ChunkId, List<Integer>> leavesById = new HashMap<>();
    for (Wanted w : wanted) {
      if (!w.isMetadata()) {
        leavesById.computeIfAbsent(w.id(), k -> new ArrayList<>()).add(w.leafIndex());
      }
    }
    for (Wanted w : wanted) {
      if (items.containsKey(w.id())) {
        continue;
      }
      List<Integer> leaves = leavesById.getOrDefault(w.id(), List.of());
      Item item = new Item(w, leaves.stream().mapToInt(Integer::intValue).toArray());
      item.priority = w.isMetadata() ? PRIORITY_METADATA : PRIORITY_NORMAL;
      item.tieKey =
          w.isMetadata()
              ? 0
              : Math.floorMod(w.leafIndex() + tieOffset, Math.max(1, this.totalLeaves));
      for (Peer p : peers.values()) {
        if (!w.isMetadata() && p.canServe(item)) {
          item.availability++;
        }
      }
      items.put(w.id(), item);
      remaining++;
      if (!w.isMetadata()) {
        dataByOffset.add(item);
        putLeaf(w.leafIndex(), item);
        for (int leaf : item.leaves) {
          putLeaf(leaf, item);
        }
      }
      totalBytes += w.sizeBytes();
      pending.add(item);
    }
    dataByOffset.sort(Comparator.comparingLong(i -> i.wanted.offset()));
    applyStreamPriority();
    pendingGrew();
    schedule(nowNanos);
  }

  /** The wanted item of each data chunk index (null: held already or not wanted). */
  private Item[] byLeaf = new Item[0];

  private void putLeaf(int leaf, Item item) {
    if (leaf >= byLeaf.length) {
      byLeaf =
          java.util.Arrays.copyOf(
              byLeaf, Math.max(leaf + 1, Math.max(totalLeaves, 2 * byLeaf.length)));
    }
    byLeaf[leaf] = item;
  }

  /** No more chunks will be added: the fetch completes once all wanted chunks are in. */
  public void onPlanComplete(long nowNanos) {
    planComplete = true;
    maybeComplete();
  }

  /** A chunk arrived for {@code requestId} from {@code peer} and was checked against its id. */
  public void onChunk(NodeId peer, long requestId, boolean verified, int bytes, long nowNanos) {
    bytesReceived += bytes;
    received.delivered(bytes, nowNanos);
    Request r = requests.remove(requestId);
    Peer p = peers.get(peer);
    if (r == null) {
      duplicateBytes += bytes;
      return; // timed out or cancelled; the item has been reassigned
    }
    release(r);
    Item item = r.item;
    if (!verified) {
      item.badFrom.add(peer);
      events.add(new FetchEvent.BadChunk(peer, item.wanted.id()));
      if (p != null && ++p.strikes >= config.banThreshold()) {
        ban(p);
      }
      if (!item.done && item.inFlight == 0) {
        pending.add(item);
        pendingGrew();
      }
      schedule(nowNanos);
      return;
    }
    if (p != null) {
      p.rate.delivered(bytes, nowNanos);
      grow(p, bytes, nowNanos);
    }
    if (item.done) {
      duplicateBytes += bytes;
    } else {
      complete(item);
      cancelOthers(item);
    }
    schedule(nowNanos);
    maybeComplete();
  }

  /** The peer refused a request. */
  public void onRefused(NodeId peer, long requestId, ChunkRefused.Reason reason, long nowNanos) {
    Request r = requests.remove(requestId);
    if (r == null) {
      return;
    }
    release(r);
    Peer p = peers.get(peer);
    if (p != null) {
      if (reason == ChunkRefused.Reason.NOT_FOUND) {
        r.item.refusedBy.add(peer);
        refusals.add(new Refusal(r.item, peer, nowNanos + NOT_FOUND_BACKOFF_NANOS));
      } else {
        p.window = Math.max(config.minPeerWindowBytes(), p.window / 2);
      }
    }
    if (!r.item.done && r.item.inFlight == 0) {
      pending.add(r.item);
      pendingGrew();
    }
    schedule(nowNanos);
  }

  /** A reader is at {@code offset} of the data stream: chunks just after it come first. */
  public void onReaderPosition(long offset, long nowNanos) {
    readerOffset = offset;
    applyStreamPriority();
    schedule(nowNanos);
  }

  /** Expires overdue requests and NOT_FOUND backoffs. */
  public void onTimer(long nowNanos) {
    while (!refusals.isEmpty() && nowNanos - refusals.peek().untilNanos() >= 0) {
      Refusal x = refusals.poll();
      if (x.item().refusedBy.remove(x.peer()) && !x.item().done) {
        pendingGrew();
      }
    }
    List<Request> overdue = new ArrayList<>();
    for (Request r : requests.values()) {
      if (nowNanos - r.deadlineNanos >= 0) {
        overdue.add(r);
      }
    }
    overdue.sort(Comparator.comparingLong(r -> r.id));
    for (Request r : overdue) {
      requests.remove(r.id);
      release(r);
      r.peer.window = Math.max(config.minPeerWindowBytes(), r.peer.window / 2);
      outbox.add(new Outbound(r.peer.id, new Cancel(r.id)));
      if (!r.item.done && r.item.inFlight == 0) {
        pending.add(r.item);
        pendingGrew();
      }
    }
    schedule(nowNanos);
  }

  // ---------------------------------------------------------------- outputs

  public Outbound pollOutbound() {
    return outbox.poll();
  }

  public FetchEvent pollEvent() {
    return events.poll();
  }

  /** The earliest request deadline or backoff end, or {@code Long.MAX_VALUE} with none. */
  public long nextDeadlineNanos() {
    long best = refusals.isEmpty() ? Long.MAX_VALUE : refusals.peek().untilNanos();
    for (Request r : requests.values()) {
      if (best == Long.MAX_VALUE || r.deadlineNanos - best < 0) {
        best = r.deadlineNanos;
      }
    }
    return best;
  }

  // ---------------------------------------------------------------- queries

  public boolean isComplete() {
    return completed;
  }

  /** Bytes of data chunks wanted in all. */
  public long totalBytes() {
    return totalBytes;
  }

  /** Bytes of data chunks verified so far. */
  public long doneBytes() {
    return doneBytes;
  }

  /** Chunk bytes received, duplicates and failures included. */
  public long bytesReceived() {
    return bytesReceived;
  }

  /** Bytes received for chunks already done (endgame duplicates, late replies). */
  public long duplicateBytes() {
    return duplicateBytes;
  }

  /** Peers currently usable (not banned). */
  public int activePeers() {
    int n = 0;
    for (Peer p : peers.values()) {
      n += p.banned ? 0 : 1;
    }
    return n;
  }

  /** Peers banned for bad chunks. */
  public List<NodeId> bannedPeers() {
    List<NodeId> out = new ArrayList<>();
    for (Peer p : peers.values()) {
      if (p.banned) {
        out.add(p.id);
      }
    }
    return out;
  }

  /** Chunks wanted but not yet verified. */
  public int remainingChunks() {
    return remaining;
  }

  // ---------------------------------------------------------------- scheduling

  /** Fills every peer's window, one request per peer per pass, so peers share the rarest work. */
  private void schedule(long nowNanos) {
    boolean progress = true;
    while (progress && inFlightBytes < config.maxInFlightBytes()) {
      progress = false;
      for (Peer p : peers.values()) {
        if (p.banned || p.inFlightBytes >= p.window || inFlightBytes >= config.maxInFlightBytes()) {
          continue;
        }
        Item item = pick(p);
        if (item == null) {
          item = pickEndgame(p, nowNanos);
        }
        if (item != null) {
          send(p, item, nowNanos);
          progress = true;
        }
      }
    }
  }

  /**
   * The next item to ask {@code p} for. A complete holder can serve the first pending item, in
   * priority order. A partial holder (a leecher) usually cannot, and walking the pending set to
   * find one it can costs a scan per request; so after the most urgent few (metadata, a streaming
   * reader's, the rarest), its own chunks are searched instead, from where the last search for it
   * stopped, a bounded number at a time.
   */
  private Item pick(Peer p) {
    if (p.exhausted) {
      return null;
    }
    int limit = p.all ? MAX_SCAN : PRIORITY_SCAN;
    int scanned = 0;
    Iterator<Item> it = pending.iterator();
    for (; it.hasNext() && scanned < limit; scanned++) {
      Item item = it.next();
      if (p.canServe(item)) {
        it.remove();
        return item;
      }
    }
    // Metadata sorts first: past the scanned prefix, is there any this peer might serve?
    boolean metadataBeyond = it.hasNext() && it.next().priority == PRIORITY_METADATA;
    if (p.all || pending.isEmpty()) {
      p.exhausted = !metadataBeyond && scanned < limit;
      return null;
    }
    int leaf = p.have.nextSetBit(p.cursor);
    boolean fromStart = leaf < 0 || p.cursor == 0;
    if (leaf < 0) {
      leaf = p.have.nextSetBit(0);
    }
    int start = leaf;
    boolean wrapped = false;
    boolean covered = leaf < 0; // covered: every set bit has been looked at
    for (int n = 0; n < PARTIAL_SCAN && !covered; n++) {
      if (leaf < 0) {
        if (fromStart || wrapped) {
          covered = true;
          break;
        }
        wrapped = true;
        leaf = p.have.nextSetBit(0);
        covered = leaf >= start;
        continue;
      }
      if (wrapped && leaf >= start) {
        covered = true;
        break;
      }
      Item item = leafItem(leaf);
      leaf = p.have.nextSetBit(leaf + 1);
      // Pending means not done and not in flight: check that before the set's own lookup.
      if (item != null
          && !item.done
          && item.inFlight == 0
          && !item.excludes(p.id)
          && pending.remove(item)) {
        p.cursor = Math.max(0, leaf);
        return item;
      }
    }
    p.cursor = Math.max(0, leaf);
    p.exhausted = covered && !metadataBeyond;
    return null;
  }

  /**
   * The endgame: with nothing left to request, a copy of a request still in flight elsewhere, so
   * the last chunks do not wait on the slowest peer. Only a request that is late (by its peer's
   * measured rate), or any request when this peer is idle, is copied: copying everything in flight
   * would move the tail of the snapshot twice. Oldest first, looking at a bounded number.
   */
  private Item pickEndgame(Peer p, long nowNanos) {
    if (!pending.isEmpty() || !planComplete) {
      return null;
    }
    boolean idle = p.inFlightBytes == 0;
    int scanned = 0;
    for (Iterator<Request> it = requests.values().iterator();
        it.hasNext() && scanned < MAX_ENDGAME_SCAN;
        scanned++) {
      Request r = it.next();
      Item item = r.item;
      if ((idle || nowNanos - r.lateNanos >= 0)
          && !item.done
          && item.inFlight < config.endgameDuplicates()
          && r.peer != p
          && p.canServe(item)
          && !requestedFrom(item, p)) {
        return item;
      }
    }
    return null;
  }

  private static boolean requestedFrom(Item item, Peer p) {
    for (Request r : item.requests) {
      if (r.peer == p) {
        return true;
      }
    }
    return false;
  }

  private void send(Peer p, Item item, long nowNanos) {
    long id = nextRequestId++;
    double rate = p.rate.bytesPerSecond(nowNanos);
    long expected = rate > 0 ? (long) (item.size() * 1e9 / rate) : 0;
    long timeout = Math.max(config.requestTimeoutNanos(), 8 * expected);
    // It waits behind what the peer already has to send.
    long late =
        rate > 0
            ? (long) (LATE_FACTOR * (p.inFlightBytes + item.size()) * 1e9 / rate)
            : config.requestTimeoutNanos() / 4;
    Request r = new Request(id, p, item, nowNanos + timeout, nowNanos + late);
    requests.put(id, r);
    p.requests.add(id);
    p.inFlightBytes += item.size();
    inFlightBytes += item.size();
    item.inFlight++;
    item.requests.add(r);
    // The sender weighs this against its compressor: what this node receives over all peers is
    // its best estimate of what its link carries (one peer's share may be small for other reasons).
    long link = (long) received.bytesPerSecond(nowNanos);
    outbox.add(new Outbound(p.id, new ChunkRequest(id, item.wanted.id(), link)));
  }

  private void pendingGrew() {
    for (Peer p : peers.values()) {
      p.exhausted = false;
    }
  }

  private void release(Request r) {
    r.peer.requests.remove(r.id);
    r.peer.inFlightBytes -= r.item.size();
    inFlightBytes -= r.item.size();
    r.item.inFlight--;
    r.item.requests.remove(r);
  }

  private void grow(Peer p, int bytes, long nowNanos) {
    double rate = p.rate.bytesPerSecond(nowNanos);
    long byTime = (long) (rate * config.targetQueueNanos() / 1e9);
    long next = rate > 0 ? Math.max(byTime, p.window) : p.window + bytes;
    if (rate > 0 && byTime < p.window) {
      next = Math.max(byTime, p.window - bytes); // shrink gently toward the measured rate
    }
    p.window = Math.max(config.minPeerWindowBytes(), Math.min(config.maxPeerWindowBytes(), next));
  }

  private void complete(Item item) {
    item.done = true;
    remaining--;
    pending.remove(item);
    doneBytes += item.wanted.sizeBytes();
  }

  private void cancelOthers(Item item) {
    List<Request> others = new ArrayList<>(item.requests);
    others.sort(Comparator.comparingLong(r -> r.id));
    for (Request r : others) {
      requests.remove(r.id);
      release(r);
      outbox.add(new Outbound(r.peer.id, new Cancel(r.id)));
    }
  }

  private void ban(Peer p) {
    p.banned = true;
    events.add(new FetchEvent.PeerBanned(p.id, p.strikes));
    dropRequests(p);
  }

  private void dropRequests(Peer p) {
    List<Long> ids = new ArrayList<>(p.requests);
    ids.sort(Long::compare);
    for (long id : ids) {
      Request r = requests.remove(id);
      if (r != null) {
        release(r);
        if (!r.item.done && r.item.inFlight == 0) {
          pending.add(r.item);
          pendingGrew();
        }
      }
    }
  }

  private void maybeComplete() {
    if (!completed
        && planComplete
        && pending.isEmpty()
        && requests.isEmpty()
        && remainingChunks() == 0) {
      completed = true;
      events.add(new FetchEvent.Completed());
    }
  }

  private void adjustAvailabilityAll(int delta) {
    for (Item item : items.values()) {
      if (!item.wanted.isMetadata() && !item.done) {
        rekey(item, () -> item.availability += delta);
      }
    }
  }

  private Item leafItem(int leaf) {
    return leaf >= 0 && leaf < byLeaf.length ? byLeaf[leaf] : null;
  }

  /** Changes an item's ordering key without corrupting the pending set. */
  private void rekey(Item item, Runnable change) {
    boolean wasPending = pending.remove(item);
    change.run();
    if (wasPending) {
      pending.add(item);
    }
  }

  private void applyStreamPriority() {
    if (readerOffset < 0) {
      return;
    }
    long end = readerOffset + config.streamReadaheadBytes();
    for (Item item : dataByOffset) {
      int want =
          item.wanted.offset() + item.wanted.sizeBytes() > readerOffset
                  && item.wanted.offset() < end
              ? PRIORITY_STREAM
              : PRIORITY_NORMAL;
      if (item.priority != want && !item.done) {
        int w = want;
        rekey(
            item,
            () -> {
              item.priority = w;
              item.tieKey =
                  w == PRIORITY_STREAM
                      ? item.wanted.offset()
                      : Math.floorMod(
                          item.wanted.leafIndex() + tieOffset, Math.max(1, totalLeaves));
            });
      }
    }
  }
}
