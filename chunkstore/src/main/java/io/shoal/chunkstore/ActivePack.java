package io.shoal.chunkstore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pack new records go to. Appends are serialized here; once the pack reaches its target size it
 * is sealed (fsync, then its hint written atomically) before the next append rolls to a new pack,
 * so after a crash only the newest pack can lack a hint. Thread-safe.
 */
final class ActivePack {
  /** A record appended to a pack, not yet indexed. */
  record Appended(Pack pack, HintFile.Entry entry) {
    void index(ChunkIndex index) {
      index.put(entry.id(), (int) pack.number(), entry.offset(), entry.length());
    }
  }

  private final Path dir;
  private final Path packDir;
  private final long packTargetBytes;
  private final Writeback writeback;
  private final Map<Integer, Pack> packs;
  private final UnsyncedPacks unsynced;
  private final StoreHealth health;
  private final Object lock = new Object();

  private Pack active;
  private List<HintFile.Entry> activeEntries = new ArrayList<>();
  private int nextPackNumber = 1;
  private volatile boolean closed;

  /**
   * @param dir the store's directory, for messages
   * @param packs the store's open packs, which a new pack joins
   */
  ActivePack(
      Path dir,
      Path packDir,
      long packTargetBytes,
      Writeback writeback,
      Map<Integer, Pack> packs,
      UnsyncedPacks unsynced,
      StoreHealth health) {
    this.dir = dir;
    this.health = health;
    this.packDir = packDir;
    this.packTargetBytes = packTargetBytes;
    this.writeback = writeback;
    this.packs = packs;
    this.unsynced = unsynced;
  }

  /** Numbers new packs from {@code number} on (after the packs found at open). */
  void resumeAt(int number) {
    synchronized (lock) {
      nextPackNumber = number;
    }
  }

  /** Whether {@link #close()} ran: appends fail from then on. */
  boolean isClosed() {
    return closed;
  }

  /** Appends one record, rolling to a new pack when the active one is full. */
  Appended append(VerifiedChunk chunk) throws IOException {
    synchronized (lock) {
      Pack pack = current();
      long offset = pack.append(chunk);
      HintFile.Entry entry = new HintFile.Entry(chunk.id(), offset, chunk.length());
      activeEntries.add(entry);
      writeback.wrote(chunk.length(), pack::force);
      sealIfFull(pack);
      return new Appended(pack, entry);
    }
  }

  /** Appends many records with one write, all into the same pack. */
  List<Appended> appendAll(List<VerifiedChunk> chunks) throws IOException {
    synchronized (lock) {
      Pack pack = current();
      long[] offsets = pack.appendAll(chunks);
      List<Appended> appended = new ArrayList<>(chunks.size());
      long bytes = 0;
      for (int i = 0; i < offsets.length; i++) {
        VerifiedChunk c = chunks.get(i);
        HintFile.Entry entry = new HintFile.Entry(c.id(), offsets[i], c.length());
        activeEntries.add(entry);
        appended.add(new Appended(pack, entry));
        bytes += c.length();
      }
      writeback.wrote(bytes, pack::force);
      sealIfFull(pack);
      return appended;
    }
  }

  /** Seals the active pack, if any; the next append starts a new one. */
  void seal() throws IOException {
    synchronized (lock) {
      sealLocked();
    }
  }

  /**
   * Refuses further appends and seals the active pack, unless the store failed: then the pack is
   * left without a hint, so reopening verifies every record of it instead of trusting a hint.
   */
  void close() throws IOException {
    synchronized (lock) {
      closed = true;
      if (!health.isFailed()) {
        sealLocked();
      }
    }
  }

  /** The pack to append to: the active one, or a new one (the one roll). Caller holds the lock. */
  private Pack current() throws IOException {
    if (closed) {
      throw new IOException("store " + dir + " is closed");
    }
    health.throwIfFailed();
    if (active == null) {
      if (nextPackNumber > ChunkIndex.MAX_PACK_NUMBER) {
        throw new IOException("store " + dir + " ran out of pack numbers");
      }
      active = Pack.create(packDir, nextPackNumber++, health);
      activeEntries = new ArrayList<>();
      packs.put((int) active.number(), active);
    }
    return active;
  }

  private void sealIfFull(Pack pack) throws IOException {
    if (pack.size() >= packTargetBytes) {
      sealLocked();
    }
  }

  /** Seals the active pack: fsync, then its hint. Caller holds the lock. */
  private void sealLocked() throws IOException {
    if (active == null) {
      return;
    }
    unsynced.remove(active);
    active.force();
    HintFile.write(active.hintPath(), active.number(), activeEntries);
    active = null;
    activeEntries = new ArrayList<>();
  }
}
