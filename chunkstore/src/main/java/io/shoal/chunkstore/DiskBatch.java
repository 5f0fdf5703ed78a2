package io.shoal.chunkstore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A batch of the disk store: appends its records at once, and indexes them (makes them visible)
 * only at commit, after the packs it touched are durable, or at once with {@link #commitVisible}
 * while the barrier remembers those packs. It keeps garbage collection out from creation to close.
 */
final class DiskBatch implements ChunkBatch {
  private final ChunkIndex index;
  private final ActivePack activePack;
  private final BatchGate gate;
  private final UnsyncedPacks unsynced;
  private final StoreHealth health;
  private final List<ActivePack.Appended> pending = new ArrayList<>();
  private final Set<ChunkId> pendingIds = new HashSet<>();
  private final Set<Pack> touched = new LinkedHashSet<>();
  private long addedChunks;
  private long addedBytes;
  private boolean open = true;

  DiskBatch(
      ChunkIndex index,
      ActivePack activePack,
      BatchGate gate,
      UnsyncedPacks unsynced,
      StoreHealth health) {
    this.index = index;
    this.health = health;
    this.activePack = activePack;
    this.gate = gate;
    this.unsynced = unsynced;
    gate.enterBatch();
  }

  @Override
  public boolean add(VerifiedChunk chunk) throws IOException {
    checkOpen();
    health.throwIfFailed();
    ChunkId id = chunk.id();
    if (index.contains(id) || pendingIds.contains(id)) {
      return false;
    }
    ActivePack.Appended a = activePack.append(chunk);
    touched.add(a.pack());
    pending.add(a);
    pendingIds.add(id);
    addedChunks++;
    addedBytes += chunk.length();
    return true;
  }

  @Override
  public int addAll(List<VerifiedChunk> chunks) throws IOException {
    checkOpen();
    health.throwIfFailed();
    List<VerifiedChunk> fresh = new ArrayList<>(chunks.size());
    for (VerifiedChunk c : chunks) {
      if (!index.contains(c.id()) && pendingIds.add(c.id())) {
        fresh.add(c);
      }
    }
    if (fresh.isEmpty()) {
      return 0;
    }
    boolean written = false;
    try {
      for (ActivePack.Appended a : activePack.appendAll(fresh)) {
        touched.add(a.pack());
        pending.add(a);
        addedChunks++;
        addedBytes += a.entry().length();
      }
      written = true;
    } finally {
      if (!written) {
        fresh.forEach(c -> pendingIds.remove(c.id()));
      }
    }
    return fresh.size();
  }

  @Override
  public void commit() throws IOException {
    checkOpen();
    health.throwIfFailed();
    for (Pack p : touched) {
      p.force();
    }
    // This batch may have skipped chunks another batch only made visible: make them durable.
    unsynced.sync();
    indexPending();
  }

  @Override
  public void commitVisible() throws IOException {
    checkOpen();
    health.throwIfFailed();
    // Tracked before indexing, so a barrier that can see these chunks also syncs their packs.
    unsynced.addAll(touched);
    indexPending();
  }

  private void indexPending() {
    for (ActivePack.Appended a : pending) {
      a.index(index);
    }
    pending.clear();
    pendingIds.clear();
    touched.clear();
  }

  @Override
  public long addedChunks() {
    return addedChunks;
  }

  @Override
  public long addedBytes() {
    return addedBytes;
  }

  @Override
  public void close() {
    if (open) {
      open = false;
      gate.exitBatch();
    }
  }

  private void checkOpen() {
    if (!open) {
      throw new IllegalStateException("batch is closed");
    }
  }
}
