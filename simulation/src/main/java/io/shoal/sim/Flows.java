package io.shoal.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Bandwidth as flows (fluid, not packets). Each node has an upload and a download capacity. A node
 * sends at most {@link #MAX_ACTIVE_PER_SENDER} chunks at once (its driver asks {@link #hasRoom}
 * before taking the next request from the upload core, which keeps choosing fairly among peers);
 * chunks sent past that wait their turn in order. The active flows at a node share its capacity
 * equally, and a flow runs at the smaller of its sender's share and its receiver's share,
 * recomputed whenever a flow starts or ends at either end.
 *
 * <p>This bottleneck-share rule is simpler than max-min fairness (capacity a flow cannot use is not
 * handed to the others), so it errs on the slow side. Its cost is what makes ten thousand nodes
 * possible: a flow start or end touches only the few flows of its two nodes.
 */
final class Flows {
  /** Chunks one node sends at once; more wait. A few keep the link busy across chunk ends. */
  static final int MAX_ACTIVE_PER_SENDER = 4;

  /** One chunk on the wire. */
  static final class Flow {
    final long id;
    final int from;
    final int to;
    final long bytes;
    final Object payload;
    double remaining;
    double rate;
    long lastNanos;
    long finishNanos;
    boolean active;

    /** The most its receiver lets it have (set by the receiver's water-filling). */
    double cap;

    Flow(long id, int from, int to, long bytes, Object payload) {
      this.id = id;
      this.from = from;
      this.to = to;
      this.bytes = bytes;
      this.payload = payload;
      this.remaining = bytes;
    }
  }

  /** What a flow's end means to the driver. */
  interface Sink {
    /** {@code f} finished at {@code nowNanos}; every byte crossed the link. */
    void onFlowDone(Flow f, long nowNanos);
  }

  private final TreeSet<Flow> byFinish =
      new TreeSet<>(
          (a, b) -> {
            int c = Long.compare(a.finishNanos, b.finishNanos);
            return c != 0 ? c : Long.compare(a.id, b.id);
          });
  private final List<ArrayDeque<Flow>> waiting = new ArrayList<>();
  private final List<List<Flow>> upActive = new ArrayList<>();
  private final List<List<Flow>> downActive = new ArrayList<>();
  private double[] up = new double[0];
  private double[] down = new double[0];
  private long nextId;
  private long bytesDelivered;
  private long bytesDropped;

  /** Each node's zone, and the share of capacity a flow between zones gets; empty: no zones. */
  private int[] zoneOf = new int[0];

  private double interZoneFactor = 1;

  /** Chunk bytes delivered into each zone from another, by receiving zone. */
  private long[] crossZoneBytes = new long[0];

  // Scratch space of reshare, capAt and fill, reused from one flow event to the next.
  private int[] receiversScratch = new int[8];
  private int[] sendersScratch = new int[8];
  private double[] keyScratch = new double[8];
  private int[] orderScratch = new int[8];

  /** Sets node {@code i}'s capacities in bytes per second. */
  void setCapacity(int i, double upBytesPerSecond, double downBytesPerSecond) {
    while (upActive.size() <= i) {
      upActive.add(new ArrayList<>(MAX_ACTIVE_PER_SENDER));
      downActive.add(new ArrayList<>(2));
      waiting.add(new ArrayDeque<>(0));
    }
    if (i >= up.length) {
      up = Arrays.copyOf(up, Math.max(i + 1, up.length * 2));
      down = Arrays.copyOf(down, Math.max(i + 1, down.length * 2));
    }
    up[i] = upBytesPerSecond;
    down[i] = downBytesPerSecond;
  }

  /**
   * Puts node {@code i} in {@code zone} of {@code zones}: a flow between two zones gets {@code
   * factor} of the share it would get inside one.
   */
  void setZone(int i, int zone, int zones, double factor) {
    if (i >= zoneOf.length) {
      zoneOf = Arrays.copyOf(zoneOf, Math.max(i + 1, zoneOf.length * 2));
    }
    zoneOf[i] = zone;
    crossZoneBytes = crossZoneBytes.length == zones ? crossZoneBytes : new long[zones];
    interZoneFactor = factor;
  }

  /** Chunk bytes that ended in zone {@code zone} from another zone. */
  long crossZoneBytes(int zone) {
    return crossZoneBytes[zone];
  }

  private boolean crossesZones(Flow f) {
    return crossZoneBytes.length > 0 && zoneOf[f.from] != zoneOf[f.to];
  }

  /** Queues {@code bytes} from {@code from} to {@code to}; it starts once the sender has room. */
  void send(int from, int to, long bytes, Object payload, long nowNanos) {
    Flow f = new Flow(nextId++, from, to, bytes, payload);
    if (upActive.get(from).size() < MAX_ACTIVE_PER_SENDER) {
      activate(f, nowNanos);
    } else {
      waiting.get(from).add(f);
    }
  }

  /** When the next flow ends, or {@code Long.MAX_VALUE}. */
  long nextFinishNanos() {
    return byFinish.isEmpty() ? Long.MAX_VALUE : byFinish.first().finishNanos;
  }

  /** Ends the earliest flow and starts the sender's next one. */
  void finishNext(long nowNanos, Sink sink) {
    Flow f = byFinish.pollFirst();
    f.remaining = 0;
    deactivate(f, nowNanos);
    bytesDelivered += f.bytes;
    if (crossesZones(f)) {
      crossZoneBytes[zoneOf[f.to]] += f.bytes;
    }
    Flow next = waiting.get(f.from).poll();
    if (next != null) {
      activate(next, nowNanos);
    }
    sink.onFlowDone(f, nowNanos);
  }

  /** Drops every flow to or from node {@code i} (it crashed); returns the bytes that were lost. */
  long dropNode(int i, long nowNanos) {
    long lost = 0;
    waiting.get(i).clear();
    for (ArrayDeque<Flow> q : waiting) {
      q.removeIf(f -> f.to == i);
    }
    List<Flow> cut = new ArrayList<>(upActive.get(i));
    cut.addAll(downActive.get(i));
    for (Flow f : cut) {
      if (f.active) {
        byFinish.remove(f);
        progress(f, nowNanos);
        lost += f.bytes - (long) f.remaining;
        deactivate(f, nowNanos);
        Flow next = f.from == i ? null : waiting.get(f.from).poll();
        if (next != null) {
          activate(next, nowNanos);
        }
      }
    }
    bytesDropped += lost;
    return lost;
  }

  /** Whether node {@code i} can start another chunk now. */
  boolean hasRoom(int i) {
    return upActive.get(i).size() + waiting.get(i).size() < MAX_ACTIVE_PER_SENDER;
  }

  /** Bytes of flows that ended. */
  long bytesDelivered() {
    return bytesDelivered;
  }

  /** Bytes that crossed a link for flows cut off by a crash. */
  long bytesDropped() {
    return bytesDropped;
  }

  private void activate(Flow f, long nowNanos) {
    f.active = true;
    f.lastNanos = nowNanos;
    upActive.get(f.from).add(f);
    downActive.get(f.to).add(f);
    reshare(f.from, f.to, nowNanos);
  }

  private void deactivate(Flow f, long nowNanos) {
    f.active = false;
    upActive.get(f.from).remove(f);
    downActive.get(f.to).remove(f);
    reshare(f.from, f.to, nowNanos);
  }

  /**
   * Recomputes rates after a flow started or ended between {@code sender} and {@code receiver}: the
   * caps at the receivers whose flows changed demand, then the senders that feed them. Each set is
   * visited once, in ascending node order (primitive scratch arrays: this runs at every chunk's
   * start and end).
   */
  private void reshare(int sender, int receiver, long nowNanos) {
    List<Flow> out = upActive.get(sender);
    int receivers = 0;
    receiversScratch = ensure(receiversScratch, out.size() + 1);
    receiversScratch[receivers++] = receiver;
    for (int n = 0; n < out.size(); n++) {
      receiversScratch[receivers++] = out.get(n).to;
    }
    receivers = sortUnique(receiversScratch, receivers);
    int senders = 0;
    sendersScratch = ensure(sendersScratch, 1);
    sendersScratch[senders++] = sender;
    for (int r = 0; r < receivers; r++) {
      int j = receiversScratch[r];
      capAt(j);
      List<Flow> in = downActive.get(j);
      sendersScratch = ensure(sendersScratch, senders + in.size());
      for (int n = 0; n < in.size(); n++) {
        sendersScratch[senders++] = in.get(n).from;
      }
    }
    senders = sortUnique(sendersScratch, senders);
    for (int n = 0; n < senders; n++) {
      fill(sendersScratch[n], nowNanos);
    }
  }

  private static int[] ensure(int[] a, int length) {
    return a.length >= length ? a : Arrays.copyOf(a, Math.max(length, a.length * 2));
  }

  /** Sorts the first {@code n} of {@code a} and drops repeats; returns how many remain. */
  private static int sortUnique(int[] a, int n) {
    Arrays.sort(a, 0, n);
    int kept = 0;
    for (int i = 0; i < n; i++) {
      if (kept == 0 || a[kept - 1] != a[i]) {
        a[kept++] = a[i];
      }
    }
    return kept;
  }

  /**
   * Fills {@link #orderScratch} with {@code 0..m-1} ordered by {@link #keyScratch}, ties in index
   * order (the stable sort the rates were first computed with, so equal keys share out alike).
   */
  private void orderByKey(int m) {
    orderScratch = ensure(orderScratch, m);
    int[] order = orderScratch;
    double[] key = keyScratch;
    for (int n = 0; n < m; n++) {
      int idx = n;
      int at = n;
      while (at > 0 && Double.compare(key[order[at - 1]], key[idx]) > 0) {
        order[at] = order[at - 1];
        at--;
      }
      order[at] = idx;
    }
  }

  private void ensureKeys(int m) {
    if (keyScratch.length < m) {
      keyScratch = new double[Math.max(m, keyScratch.length * 2)];
    }
  }

  /**
   * Water-fills receiver {@code j}'s download over its incoming flows, each demanding its sender's
   * equal share: a flow from a slow sender is capped at what it can use, and what it leaves goes to
   * the others.
   */
  private void capAt(int j) {
    List<Flow> in = downActive.get(j);
    int m = in.size();
    if (m == 0) {
      return;
    }
    ensureKeys(m);
    double[] demand = keyScratch;
    for (int n = 0; n < m; n++) {
      Flow f = in.get(n);
      demand[n] = up[f.from] / upActive.get(f.from).size();
      if (crossesZones(f)) {
        demand[n] *= interZoneFactor;
      }
    }
    orderByKey(m);
    double left = down[j];
    for (int n = 0; n < m; n++) {
      int idx = orderScratch[n];
      double fair = left / (m - n);
      double cap = Math.min(demand[idx], fair);
      if (demand[idx] >= fair) {
        cap = fair; // this flow and every later one (larger demands) share what is left
      }
      left -= cap;
      in.get(idx).cap = cap;
    }
  }

  /**
   * Water-fills node {@code i}'s upload over its active flows within their receivers' caps: a flow
   * its receiver holds back leaves its part of the upload to the others.
   */
  private void fill(int i, long nowNanos) {
    List<Flow> out = upActive.get(i);
    int k = out.size();
    if (k == 0) {
      return;
    }
    ensureKeys(k);
    for (int n = 0; n < k; n++) {
      keyScratch[n] = out.get(n).cap;
    }
    orderByKey(k);
    double left = up[i];
    for (int n = 0; n < k; n++) {
      Flow f = out.get(orderScratch[n]);
      double rate = Math.min(f.cap, left / (k - n));
      left -= rate;
      rerate(f, rate, nowNanos);
    }
  }

  private void rerate(Flow f, double rate, long nowNanos) {
    boolean queued = f.rate > 0;
    if (rate == f.rate && queued) {
      return;
    }
    if (queued) {
      byFinish.remove(f);
    }
    progress(f, nowNanos);
    f.rate = rate;
    f.finishNanos = nowNanos + (long) Math.ceil(f.remaining / rate * 1e9);
    byFinish.add(f);
  }

  private static void progress(Flow f, long nowNanos) {
    if (f.rate > 0) {
      f.remaining = Math.max(0, f.remaining - f.rate * (nowNanos - f.lastNanos) / 1e9);
    }
    f.lastNanos = nowNanos;
  }
}
