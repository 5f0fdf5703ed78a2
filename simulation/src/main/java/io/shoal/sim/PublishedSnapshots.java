package io.shoal.sim;

import io.shoal.chunkstore.ChunkId;
import io.shoal.gossip.Winners;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the scenario published, as the judge of the run sees it: every snapshot by root, the version
 * that must win each name, the target (the newest expected winner, which followers must complete),
 * when each snapshot was published, and when each node learned the target. Not thread-safe.
 */
final class PublishedSnapshots {
  private final Map<ChunkId, SnapshotModel> snapshots = new HashMap<>();
  private final TreeMap<String, SnapshotModel> expectedWinners = new TreeMap<>();
  private final Map<ChunkId, Long> publishedAt = new HashMap<>();
  private final Map<Integer, Long> learnedTarget = new HashMap<>();
  private SnapshotModel target;

  /** Makes {@code snap} known (by root) before any node publishes it. */
  void add(SnapshotModel snap) {
    snapshots.put(snap.root, snap);
  }

  SnapshotModel get(ChunkId root) {
    return snapshots.get(root);
  }

  /** The first version of the snapshot the run starts with. */
  SnapshotModel firstVersion() {
    return snapshots.values().stream().filter(x -> x.version == 1).findFirst().get();
  }

  void setTarget(SnapshotModel snap) {
    target = snap;
  }

  /** The snapshot followers must complete, or null before the first publish is planned. */
  SnapshotModel target() {
    return target;
  }

  SnapshotModel expectedWinner(String name) {
    return expectedWinners.get(name);
  }

  Collection<SnapshotModel> expectedWinners() {
    return expectedWinners.values();
  }

  /**
   * A node publishes {@code snap} at {@code nowNanos}: when it beats the expected winner of its
   * name it becomes the winner and the target, and who learned the target starts over.
   */
  void published(SnapshotModel snap, long nowNanos) {
    SnapshotModel known = expectedWinners.get(snap.name);
    if (known == null || Winners.beats(snap.version, snap.root, known.version, known.root)) {
      expectedWinners.put(snap.name, snap);
      target = snap;
      learnedTarget.clear();
    }
    publishedAt.putIfAbsent(snap.root, nowNanos);
  }

  /** When {@code snap} was first published; 0 if it never was. */
  long publishNanos(SnapshotModel snap) {
    return publishedAt.getOrDefault(snap.root, 0L);
  }

  /** Node {@code index} learned that {@code root} wins its name. */
  void winnerLearned(int index, ChunkId root, long nowNanos) {
    if (target != null && root.equals(target.root)) {
      learnedTarget.put(index, nowNanos);
    }
  }

  /** When node {@code index} learned the target, or null if it has not. */
  Long learnedTargetAt(int index) {
    return learnedTarget.get(index);
  }
}
