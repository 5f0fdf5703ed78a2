package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The chunks one fetch wants, and the order it asks for them in: metadata first, then chunks within
 * the read-ahead of a streaming reader (in stream order), then rarest first among the fetch's
 * peers, ties broken by chunk index rotated by an offset derived from this node's id (so
 * simultaneous leechers start in different places and have something to trade). The pending set
 * holds the chunks neither done nor in flight.
 */
final class PendingChunks {
  /** Longest scan of the pending set for one peer before it is deemed to have nothing wanted. */
  private static final int MAX_SCAN = 8192;

  /** Pending items a partial holder is checked against before its own chunks are searched. */
  private static final int PRIORITY_SCAN = 64;

  /** Pending chunks a partial holder has that are skipped (excluded for it) before giving up. */
  private static final int PARTIAL_SCAN = 1024;

  private final long tieOffset;
  private final long streamReadaheadBytes;
  private final Map<ChunkId, WantedChunk> items = new HashMap<>();
  private final List<WantedChunk> dataByOffset = new ArrayList<>();
  private final TreeSet<WantedChunk> pending = new TreeSet<>(WantedChunk.ORDER);

  /**
   * The data chunk indexes of the chunks in {@link #pending}: a partial holder's next chunk is the
   * next index set both here and in its bitmap, found without looking at the chunks it holds that
   * this node has or has asked for already.
   */
  private final BitSet pendingLeaves = new BitSet();

  /** The wanted item of each data chunk index (null: held already or not wanted). */
  private WantedChunk[] byLeaf = new WantedChunk[0];

  private int totalLeaves;
  private long readerOffset = -1;

  PendingChunks(long tieOffset, long streamReadaheadBytes) {
    this.tieOffset = tieOffset;
    this.streamReadaheadBytes = streamReadaheadBytes;
  }

  /**
   * Adds the chunks not wanted already, counting each peer that can serve it; returns those added.
   */
  List<WantedChunk> add(
      List<FetchCore.Wanted> wanted, int totalLeaves, Collection<FetchPeer> peers) {
    this.totalLeaves = Math.max(this.totalLeaves, totalLeaves);
    Map<ChunkId, List<Integer>> leavesById = new HashMap<>();
    for (FetchCore.Wanted w : wanted) {
      if (!w.isMetadata()) {
        leavesById.computeIfAbsent(w.id(), k -> new ArrayList<>()).add(w.leafIndex());
      }
    }
    List<WantedChunk> added = new ArrayList<>();
    for (FetchCore.Wanted w : wanted) {
      if (items.containsKey(w.id())) {
        continue;
      }
      List<Integer> leaves = leavesById.getOrDefault(w.id(), List.of());
      WantedChunk item = new WantedChunk(w, leaves.stream().mapToInt(Integer::intValue).toArray());
      item.priority = w.isMetadata() ? WantedChunk.PRIORITY_METADATA : WantedChunk.PRIORITY_NORMAL;
      item.tieKey = w.isMetadata() ? 0 : rotated(w.leafIndex());
      for (FetchPeer p : peers) {
        if (!w.isMetadata() && p.canServe(item)) {
          item.availability++;
        }
      }
      items.put(w.id(), item);
      if (!w.isMetadata()) {
        dataByOffset.add(item);
        putLeaf(w.leafIndex(), item);
        for (int leaf : item.leaves) {
          putLeaf(leaf, item);
        }
      }
      enter(item);
      added.add(item);
    }
    dataByOffset.sort(Comparator.comparingLong(i -> i.wanted.offset()));
    applyStreamPriority();
    return added;
  }

  private long rotated(int leafIndex) {
    return Math.floorMod(leafIndex + tieOffset, Math.max(1, totalLeaves));
  }

  private void putLeaf(int leaf, WantedChunk item) {
    if (leaf >= byLeaf.length) {
      byLeaf = Arrays.copyOf(byLeaf, Math.max(leaf + 1, Math.max(totalLeaves, 2 * byLeaf.length)));
    }
    byLeaf[leaf] = item;
  }

  /** The wanted chunk at data chunk index {@code leaf}, or null. */
  WantedChunk atLeaf(int leaf) {
    return leaf >= 0 && leaf < byLeaf.length ? byLeaf[leaf] : null;
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  /** Puts an unassigned chunk back in the pending set. */
  void requeue(WantedChunk item) {
    enter(item);
  }

  /** Takes a chunk out of the pending set (done, or assigned). */
  void remove(WantedChunk item) {
    leave(item);
  }

  private void enter(WantedChunk item) {
    if (pending.add(item)) {
      markLeaves(item, true);
    }
  }

  private boolean leave(WantedChunk item) {
    if (pending.remove(item)) {
      markLeaves(item, false);
      return true;
    }
    return false;
  }

  /** Metadata chunks have no leaves; a data chunk's leaves include its own index. */
  private void markLeaves(WantedChunk item, boolean set) {
    for (int leaf : item.leaves) {
      pendingLeaves.set(leaf, set);
    }
  }

  /** Changes a chunk's ordering key without corrupting the pending set. */
  void rekey(WantedChunk item, Runnable change) {
    boolean wasPending = pending.remove(item);
    change.run();
    if (wasPending) {
      pending.add(item);
    }
  }

  /** A partial holder gained ({@code +1}) or lost ({@code -1}) the chunks at these indexes. */
  void adjustAvailability(BitSet leaves, int delta) {
    for (int leaf = leaves.nextSetBit(0); leaf >= 0; leaf = leaves.nextSetBit(leaf + 1)) {
      WantedChunk item = atLeaf(leaf);
      if (item != null) {
        rekey(item, () -> item.availability += delta);
      }
    }
  }

  /** A complete holder came or went: every data chunk not done gained or lost one. */
  void adjustAvailabilityAll(int delta) {
    for (WantedChunk item : items.values()) {
      if (!item.wanted.isMetadata() && !item.done) {
        rekey(item, () -> item.availability += delta);
      }
    }
  }

  /** A reader is at {@code offset} of the data stream: chunks just after it come first. */
  void onReaderPosition(long offset) {
    readerOffset = offset;
    applyStreamPriority();
  }

  private void applyStreamPriority() {
    if (readerOffset < 0) {
      return;
    }
    long end = readerOffset + streamReadaheadBytes;
    for (WantedChunk item : dataByOffset) {
      int want =
          item.wanted.offset() + item.wanted.sizeBytes() > readerOffset
                  && item.wanted.offset() < end
              ? WantedChunk.PRIORITY_STREAM
              : WantedChunk.PRIORITY_NORMAL;
      if (item.priority != want && !item.done) {
        int w = want;
        rekey(
            item,
            () -> {
              item.priority = w;
              item.tieKey =
                  w == WantedChunk.PRIORITY_STREAM
                      ? item.wanted.offset()
                      : rotated(item.wanted.leafIndex());
            });
      }
    }
  }

  /**
   * The next chunk to ask {@code p} for, taken out of the pending set. A complete holder can serve
   * the first pending chunk, in order. A partial holder (a leecher) usually cannot, and walking the
   * pending set to find one it can costs a scan per request; so after the most urgent few
   * (metadata, a streaming reader's, the rarest), the chunks it holds that are pending are searched
   * instead, from where the last search for it stopped.
   */
  WantedChunk pick(FetchPeer p) {
    if (p.exhausted) {
      return null;
    }
    int limit = p.all ? MAX_SCAN : PRIORITY_SCAN;
    int scanned = 0;
    Iterator<WantedChunk> it = pending.iterator();
    for (; it.hasNext() && scanned < limit; scanned++) {
      WantedChunk item = it.next();
      if (p.mayAsk(item)) {
        leave(item);
        return item;
      }
    }
    // Metadata sorts first: past the scanned prefix, is there any this peer might serve?
    boolean metadataBeyond = it.hasNext() && it.next().priority == WantedChunk.PRIORITY_METADATA;
    if (p.all || pending.isEmpty()) {
      p.exhausted = !metadataBeyond && scanned < limit;
      return null;
    }
    return pickFromHolder(p, metadataBeyond);
  }

  /** The next pending chunk a partial holder has, from where its last search stopped. */
  private WantedChunk pickFromHolder(FetchPeer p, boolean metadataBeyond) {
    int from = p.cursor;
    boolean wrapped = false;
    for (int skipped = 0; skipped < PARTIAL_SCAN; ) {
      int leaf = nextPendingHeld(p.have, from);
      if (leaf < 0 && !wrapped && from > 0) {
        wrapped = true;
        from = 0;
        continue;
      }
      if (leaf < 0 || (wrapped && leaf >= p.cursor)) {
        // Every pending chunk it holds (if any) is excluded for it: nothing until either grows.
        p.cursor = 0;
        p.exhausted = !metadataBeyond;
        return null;
      }
      from = leaf + 1;
      WantedChunk item = atLeaf(leaf);
      if (!item.excludes(p.id) && p.mayCross(item) && leave(item)) {
        p.cursor = from;
        return item;
      }
      skipped++;
    }
    p.cursor = from;
    return null;
  }

  /**
   * The first data chunk index at or after {@code from} that is pending and set in {@code have}:
   * each bitmap skips to the other's next set bit in turn, a word at a time.
   */
  private int nextPendingHeld(BitSet have, int from) {
    int leaf = have.nextSetBit(from);
    while (leaf >= 0) {
      int pendingLeaf = pendingLeaves.nextSetBit(leaf);
      if (pendingLeaf < 0 || pendingLeaf == leaf) {
        return pendingLeaf;
      }
      leaf = have.nextSetBit(pendingLeaf);
    }
    return -1;
  }
}
