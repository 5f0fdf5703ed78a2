package io.shoal.gossip.views;

import io.shoal.gossip.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** The peers a node knows but has no link to: candidates to replace a failed link. Bounded. */
final class PassiveView {
  private final NodeId[] peers;
  private int size;

  PassiveView(int capacity) {
    peers = new NodeId[capacity];
  }

  int size() {
    return size;
  }

  boolean isFull() {
    return size == peers.length;
  }

  NodeId peer(int i) {
    return peers[i];
  }

  boolean contains(NodeId peer) {
    return indexOf(peer) >= 0;
  }

  /** Adds {@code peer}; the view must not be full, and must not hold it. */
  void add(NodeId peer) {
    peers[size++] = peer;
  }

  boolean remove(NodeId peer) {
    int i = indexOf(peer);
    if (i < 0) {
      return false;
    }
    removeAt(i);
    return true;
  }

  void removeAt(int i) {
    peers[i] = peers[--size];
    peers[size] = null;
  }

  NodeId random(RandomGenerator random) {
    return peers[random.nextInt(size)];
  }

  /** Up to {@code count} distinct peers drawn at random. */
  List<NodeId> sample(int count, RandomGenerator random) {
    return sampleOf(peers, size, count, random);
  }

  /** Up to {@code count} distinct entries of {@code from[0..n)}, drawn at random. */
  static List<NodeId> sampleOf(NodeId[] from, int n, int count, RandomGenerator random) {
    int k = Math.min(count, n);
    List<NodeId> out = new ArrayList<>(k);
    if (k == 0) {
      return out;
    }
    NodeId[] copy = java.util.Arrays.copyOf(from, n);
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(n - i);
      NodeId t = copy[i];
      copy[i] = copy[j];
      copy[j] = t;
      out.add(copy[i]);
    }
    return out;
  }

  private int indexOf(NodeId peer) {
    for (int i = 0; i < size; i++) {
      if (peers[i].equals(peer)) {
        return i;
      }
    }
    return -1;
  }
}
