package io.shoal.gossip.views;

import io.shoal.gossip.NodeId;
import java.util.Arrays;

/**
 * The links of a node's active view, each with its Plumtree state: whether messages are pushed on
 * it eagerly or only announced, and the announcements (IHAVE ids) waiting for the next batch. A
 * link's state lives and dies with the link. Slots are dense: removing one moves the last into it.
 */
final class ActiveView {
  private static final int INITIAL_PENDING_IDS = 4;

  private final NodeId[] peers;
  private final boolean[] eager;
  private final long[][] pending;
  private final int[] pendingCount;
  private int size;

  ActiveView(int capacity) {
    peers = new NodeId[capacity];
    eager = new boolean[capacity];
    pending = new long[capacity][];
    pendingCount = new int[capacity];
  }

  int size() {
    return size;
  }

  boolean isFull() {
    return size == peers.length;
  }

  NodeId peer(int slot) {
    return peers[slot];
  }

  /** The slot of {@code peer}, or -1. */
  int slotOf(NodeId peer) {
    for (int i = 0; i < size; i++) {
      if (peers[i].equals(peer)) {
        return i;
      }
    }
    return -1;
  }

  boolean contains(NodeId peer) {
    return slotOf(peer) >= 0;
  }

  /** Links {@code peer}, eager at first (Plumtree's NeighborUp). The view must not be full. */
  void add(NodeId peer) {
    peers[size] = peer;
    eager[size] = true;
    pendingCount[size] = 0;
    size++;
  }

  void removeSlot(int slot) {
    int last = --size;
    long[] freed = pending[slot];
    peers[slot] = peers[last];
    eager[slot] = eager[last];
    pending[slot] = pending[last];
    pendingCount[slot] = pendingCount[last];
    pending[last] = freed;
    peers[last] = null;
    pendingCount[last] = 0;
  }

  boolean isEager(int slot) {
    return eager[slot];
  }

  void setEager(int slot, boolean value) {
    eager[slot] = value;
  }

  /** Queues an announcement of {@code id}; true when the slot's batch is now full. */
  boolean announce(int slot, long id) {
    long[] ids = pending[slot];
    int n = pendingCount[slot];
    if (ids == null || n == ids.length) {
      ids = ids == null ? new long[INITIAL_PENDING_IDS] : Arrays.copyOf(ids, n * 2);
      pending[slot] = ids;
    }
    ids[n] = id;
    pendingCount[slot] = n + 1;
    return n + 1 >= ViewConfig.MAX_IHAVE_IDS;
  }

  /** The slot's waiting announcements, taken (empty when none). */
  long[] takeAnnouncements(int slot) {
    int n = pendingCount[slot];
    pendingCount[slot] = 0;
    return n == 0 ? EMPTY : Arrays.copyOf(pending[slot], n);
  }

  private static final long[] EMPTY = new long[0];
}
