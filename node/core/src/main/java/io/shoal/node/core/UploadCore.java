package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.NodeId;
import io.shoal.node.core.TransferMessage.ChunkRefused;
import io.shoal.node.core.TransferMessage.Request;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides which chunk request to serve next, so that a node serving many fetchers at once stays
 * fair and bounded: requests wait in a short queue per peer (past it they are refused as busy),
 * peers are served round-robin, only while their connection is writable, with a bound on chunks
 * being sent at once (per peer and overall), and optionally within an upload rate (a token bucket).
 *
 * <p>Single-threaded; time comes in as {@code nowNanos}.
 */
public final class UploadCore {
  /** Most requests queued per peer; more are refused as busy. */
  public static final int MAX_QUEUED_PER_PEER = 1024;

  /**
   * Most peers with an entry (a queue, chunks being written or a full connection) at once; a new
   * peer past it is refused as busy, after the idle entries are swept.
   */
  public static final int MAX_UPLOAD_PEERS = 4096;

  /** Most chunks being written at once, overall. */
  public static final int MAX_SERVING = 64;

  /** Most chunks being written at once to one peer. */
  public static final int MAX_SERVING_PER_PEER = 32;

  /**
   * A request to serve now.
   *
   * @param peer the requester
   * @param requestId its request id
   * @param id the chunk
   * @param linkBytesPerSecond the requester's measured rate from us, 0 if unknown
   * @param bases chunks the requester holds that the reply may be a delta against; empty for none
   */
  public record Serve(
      NodeId peer, long requestId, ChunkId id, long linkBytesPerSecond, List<ChunkId> bases) {
    public Serve {
      bases = List.copyOf(bases);
    }

    /** A serve of the whole chunk. */
    public Serve(NodeId peer, long requestId, ChunkId id, long linkBytesPerSecond) {
      this(peer, requestId, id, linkBytesPerSecond, List.of());
    }
  }

  private static final class PeerQueue {
    final ArrayDeque<Request> queue = new ArrayDeque<>();
    boolean writable = true;
    int serving;

    /** Nothing queued, nothing being written, nothing held back: forgetting it loses nothing. */
    boolean isIdle() {
      return queue.isEmpty() && serving == 0 && writable;
    }
  }

  private long rateBytesPerSecond;
  private long burstBytes;
  private final TreeMap<NodeId, PeerQueue> peers = new TreeMap<>();

  /**
   * Peers with requests waiting, so that choosing the next one costs O(log n) even when thousands
   * of peers have asked once and wait for nothing (a seeder in a large swarm).
   */
  private final TreeSet<NodeId> waiting = new TreeSet<>();

  private final ArrayDeque<FetchCore.Outbound> outbox = new ArrayDeque<>();
  private NodeId lastServed;

  /**
   * Whether an entry may have become idle since the last sweep. Only a write finishing, a cancel
   * and a connection turning writable make one idle, so without them a sweep would find nothing: a
   * seeder whose table is full of busy peers then refuses a new one without scanning the 4,096
   * entries each time (in a 10,000-node simulation that scan was a quarter of the CPU).
   */
  private boolean mayHaveIdle;

  private int serving;
  private double tokens;
  private long tokensAtNanos;
  private boolean tokensStarted;

  /**
   * @param rateBytesPerSecond upload limit, or 0 for none
   */
  public UploadCore(long rateBytesPerSecond) {
    setRate(rateBytesPerSecond);
  }

  /**
   * Changes the upload limit (0 for none). The requests queued stay queued and are served at the
   * new rate, starting with a full bucket: a requester whose request was dropped would wait for its
   * timeout, minutes against a slow limit, before asking again.
   */
  public void setRate(long bytesPerSecond) {
    rateBytesPerSecond = bytesPerSecond;
    burstBytes = Math.max(4L << 20, bytesPerSecond / 10);
    tokensStarted = false;
  }

  public void onRequest(NodeId peer, Request r, long nowNanos) {
    PeerQueue q = peers.get(peer);
    if (q == null && peers.size() >= MAX_UPLOAD_PEERS && mayHaveIdle) {
      peers.values().removeIf(PeerQueue::isIdle);
      mayHaveIdle = false;
    }
    if (q == null && peers.size() < MAX_UPLOAD_PEERS) {
      q = new PeerQueue();
      peers.put(peer, q);
    }
    if (q == null || q.queue.size() >= MAX_QUEUED_PER_PEER) {
      outbox.add(
          new FetchCore.Outbound(peer, new ChunkRefused(r.requestId(), ChunkRefused.Reason.BUSY)));
      return;
    }
    q.queue.add(r);
    waiting.add(peer);
  }

  /** Drops a queued request; one already being written is not recalled. */
  public void onCancel(NodeId peer, long requestId) {
    PeerQueue q = peers.get(peer);
    if (q != null) {
      q.queue.removeIf(r -> r.requestId() == requestId);
      if (q.queue.isEmpty()) {
        waiting.remove(peer);
        mayHaveIdle = true;
      }
    }
  }

  public void onWritable(NodeId peer, boolean writable) {
    PeerQueue q = peers.get(peer);
    if (q != null) {
      q.writable = writable;
      mayHaveIdle |= writable;
    }
  }

  /** A chunk of {@code bytes} finished writing to {@code peer}. */
  public void onServed(NodeId peer, long bytes, long nowNanos) {
    PeerQueue q = peers.get(peer);
    if (q != null && q.serving > 0) {
      q.serving--;
      mayHaveIdle = true;
    }
    serving = Math.max(0, serving - 1);
    if (rateBytesPerSecond > 0) {
      refill(nowNanos);
      tokens -= bytes;
    }
  }

  public void onPeerGone(NodeId peer) {
    PeerQueue q = peers.remove(peer);
    waiting.remove(peer);
    if (q != null) {
      serving = Math.max(0, serving - q.serving);
    }
  }

  /** The next request to serve now, round-robin over peers, or null. */
  public Serve pollServe(long nowNanos) {
    if (serving >= MAX_SERVING || peers.isEmpty()) {
      return null;
    }
    if (rateBytesPerSecond > 0) {
      refill(nowNanos);
      if (tokens <= 0) {
        return null;
      }
    }
    // Round-robin over the peers with requests waiting, starting after the last one served.
    for (int pass = 0; pass < 2; pass++) {
      Iterator<NodeId> it =
          pass == 0 || lastServed == null
              ? (lastServed == null ? waiting : waiting.tailSet(lastServed, false)).iterator()
              : waiting.headSet(lastServed, true).iterator();
      while (it.hasNext()) {
        NodeId peer = it.next();
        PeerQueue q = peers.get(peer);
        if (q.writable && q.serving < MAX_SERVING_PER_PEER) {
          Request r = q.queue.poll();
          if (q.queue.isEmpty()) {
            it.remove();
          }
          q.serving++;
          serving++;
          lastServed = peer;
          return new Serve(peer, r.requestId(), r.id(), r.linkBytesPerSecond(), r.bases());
        }
      }
      if (lastServed == null) {
        break;
      }
    }
    return null;
  }

  public FetchCore.Outbound pollOutbound() {
    return outbox.poll();
  }

  /** When tokens allow serving again, if rate-limited and waiting; else Long.MAX_VALUE. */
  public long nextDeadlineNanos(long nowNanos) {
    if (rateBytesPerSecond <= 0 || tokens > 0 || !hasQueued()) {
      return Long.MAX_VALUE;
    }
    long wait = (long) ((-tokens + 1) * 1e9 / rateBytesPerSecond);
    return nowNanos + Math.max(1, wait);
  }

  /** The upload limit, 0 for none. */
  public long rateBytesPerSecond() {
    return rateBytesPerSecond;
  }

  /** Peers with an entry, idle ones included until swept. */
  int peerEntries() {
    return peers.size();
  }

  /** Requests waiting, for metrics. */
  public int queued() {
    int n = 0;
    for (PeerQueue q : peers.values()) {
      n += q.queue.size();
    }
    return n;
  }

  private boolean hasQueued() {
    return !waiting.isEmpty();
  }

  private void refill(long nowNanos) {
    if (!tokensStarted) {
      tokensStarted = true;
      tokens = burstBytes;
      tokensAtNanos = nowNanos;
      return;
    }
    long elapsed = nowNanos - tokensAtNanos;
    if (elapsed > 0) {
      tokens = Math.min((double) burstBytes, tokens + elapsed * (double) rateBytesPerSecond / 1e9);
      tokensAtNanos = nowNanos;
    }
  }
}
