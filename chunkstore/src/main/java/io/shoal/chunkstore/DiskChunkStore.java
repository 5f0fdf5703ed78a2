package io.shoal.chunkstore;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable store: chunk records appended to pack files (a log, in the manner of Bitcask), an
 * in-memory index rebuilt at open from each sealed pack's hint file, and a catalog file.
 *
 * <p>Crash safety. A batch appends its records, fsyncs the packs it touched, and only then adds
 * them to the index, so a chunk it commits is durable once visible; a batch of received chunks
 * ({@link ChunkBatch#commitVisible()}) is indexed first and made durable by the next barrier
 * ({@link UnsyncedPacks}), which every durable commit and catalog change passes. A pack is sealed
 * (fsync, then its hint written atomically) before the next one starts, so after a crash only the
 * newest pack can lack a hint; opening the store re-reads that pack, verifies every record against
 * its id, cuts off a torn tail, and seals it, logging what it did. No record that fails
 * verification is ever indexed, so a crash at any instant leaves no chunk whose bytes do not match
 * its id. The first failed fsync stops every later write until the store is reopened ({@link
 * StoreHealth}).
 *
 * <p>Layout of the directory: {@code SHOAL-STORE} (format marker), {@code lock}, {@code catalog},
 * {@code packs/NNNNNNNN.pack} and {@code .hint}. Byte layouts are in {@code docs/formats.md}.
 *
 * <p>The pieces: {@link StoreMarker} (the format marker), {@link PackRecovery} (opening the packs),
 * {@link ActivePack} (appends and the roll to a new pack), {@link DiskBatch} (the write batch),
 * {@link UnsyncedPacks} (the durability barrier), {@link Compaction} (garbage collection) and
 * {@link BatchGate} (keeping batches and collection apart). This class is the read path and the
 * wiring.
 */
final class DiskChunkStore implements ChunkStore {
  private static final Logger log = LoggerFactory.getLogger(DiskChunkStore.class);
  private static final int CACHE_ENTRY_OVERHEAD_BYTES = 96;

  private final Path dir;
  private final Path packDir;
  private final StoreLock lock;
  private final ChunkIndex index = new ChunkIndex();
  private final Map<Integer, Pack> packs = new ConcurrentHashMap<>();
  private final Cache<ChunkId, ByteBuffer> cache;
  private final Writeback writeback;
  private final BatchGate gate = new BatchGate();
  private final UnsyncedPacks unsynced = new UnsyncedPacks();
  private final StoreHealth health;
  private final ActivePack activePack;
  private final Compaction compaction;
  private final Catalog catalog;

  private DiskChunkStore(Path dir, StoreOptions options, StoreLock lock, StoreHealth.Fsync fsync)
      throws IOException {
    this.dir = dir;
    this.health = new StoreHealth(dir, fsync);
    this.packDir = dir.resolve("packs");
    this.lock = lock;
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(options.chunkCacheBytes())
            .<ChunkId, ByteBuffer>weigher((k, v) -> v.capacity() + CACHE_ENTRY_OVERHEAD_BYTES)
            .build();
    this.writeback = new Writeback("shoal-store-writeback", options.writebackBytes());
    this.activePack =
        new ActivePack(dir, packDir, options.packTargetBytes(), writeback, packs, unsynced, health);
    this.compaction =
        new Compaction(
            dir, packDir, options.compactDeadFraction(), index, packs, cache, activePack);
    CatalogFile catalogFile = new CatalogFile(dir.resolve("catalog"));
    this.catalog = new Catalog(catalogFile, catalogFile.read(), this::sync);
  }

  static DiskChunkStore open(Path dir, StoreOptions options) throws IOException {
    return open(dir, options, StoreHealth.Fsync.SYSTEM);
  }

  /** Opens the store with {@code fsync} doing its fsyncs: the seam for injected disk faults. */
  static DiskChunkStore open(Path dir, StoreOptions options, StoreHealth.Fsync fsync)
      throws IOException {
    if (AtomicFiles.createPrivateDirectory(dir)) {
      log.warn(
          "store directory {} can be read by other users, who can read snapshot bytes from it;"
              + " chmod 700 {}",
          dir,
          dir);
    }
    StoreLock lock = StoreLock.acquire(dir, options.lockWaitMillis());
    DiskChunkStore store = null;
    try {
      StoreMarker.check(dir);
      Files.createDirectories(dir.resolve("packs"));
      store = new DiskChunkStore(dir, options, lock, fsync);
      store.load();
      return store;
    } catch (IOException | RuntimeException e) {
      if (store != null) {
        store.closePacks();
        store.writeback.close();
      }
      lock.close();
      throw e;
    }
  }

  private void load() throws IOException {
    activePack.resumeAt(PackRecovery.load(dir, packDir, index, packs, health));
    log.debug(
        "opened store {}: {} chunks, {} bytes in {} packs",
        dir,
        index.size(),
        index.payloadBytes(),
        packs.size());
  }

  @Override
  public boolean contains(ChunkId id) {
    return index.contains(id);
  }

  @Override
  public int length(ChunkId id) {
    ChunkIndex.Location loc = index.get(id);
    return loc == null ? -1 : loc.length();
  }

  @Override
  public ByteBuffer read(ChunkId id) throws IOException {
    ByteBuffer hit = cache.getIfPresent(id);
    if (hit != null) {
      return hit.duplicate();
    }
    ChunkIndex.Location loc = locateOrThrow(id);
    ByteBuffer bytes = ByteBuffer.allocate(loc.length());
    readVerified(id, loc, bytes);
    ByteBuffer view = bytes.asReadOnlyBuffer();
    cache.put(id, view);
    return view.duplicate();
  }

  @Override
  public int readInto(ChunkId id, ByteBuffer dst) throws IOException {
    ChunkIndex.Location loc = locateOrThrow(id);
    if (dst.remaining() < loc.length()) {
      throw new IllegalArgumentException(
          "buffer has " + dst.remaining() + " bytes, chunk " + id + " needs " + loc.length());
    }
    ByteBuffer target = dst.slice().limit(loc.length());
    readVerified(id, loc, target);
    dst.position(dst.position() + loc.length());
    return loc.length();
  }

  private ChunkIndex.Location locateOrThrow(ChunkId id) throws ChunkNotFoundException {
    ChunkIndex.Location loc = index.get(id);
    if (loc == null) {
      throw new ChunkNotFoundException(id);
    }
    return loc;
  }

  /** Reads into {@code target} (exactly the chunk's length, position zero) and verifies. */
  private void readVerified(ChunkId id, ChunkIndex.Location first, ByteBuffer target)
      throws IOException {
    ChunkIndex.Location loc = first;
    for (int attempt = 0; ; attempt++) {
      Pack pack = packs.get(loc.pack());
      try {
        if (pack == null) {
          throw new ClosedChannelException();
        }
        pack.read(loc.offset(), target.duplicate());
        break;
      } catch (ClosedChannelException e) {
        // Garbage collection moved the chunk while we read; look it up once more.
        ChunkIndex.Location moved = index.get(id);
        if (attempt > 0 || moved == null || moved.equals(loc) || activePack.isClosed()) {
          throw activePack.isClosed()
              ? new IOException("store " + dir + " is closed")
              : new ChunkNotFoundException(id);
        }
        loc = moved;
      }
    }
    if (!id.algorithm().hash(target.duplicate()).equals(id)) {
      index.removeIfIn(id, loc.pack());
      String where = "pack " + loc.pack() + " offset " + loc.offset();
      log.warn(
          "store {}: chunk {} is corrupt ({}); dropped it so it can be fetched again",
          dir,
          id,
          where);
      throw new CorruptChunkException(id, where);
    }
  }

  @Override
  public ChunkBatch newBatch() {
    if (activePack.isClosed()) {
      throw new IllegalStateException("store " + dir + " is closed");
    }
    return new DiskBatch(index, activePack, gate, unsynced, health);
  }

  /** The barrier: every chunk made visible so far becomes durable. */
  @Override
  public void sync() throws IOException {
    health.throwIfFailed();
    unsynced.sync();
  }

  @Override
  public Optional<String> failure() {
    return health.failure();
  }

  /** Packs with chunks visible but not yet known durable (tests). */
  int unsyncedPacks() {
    return unsynced.size();
  }

  @Override
  public Catalog catalog() {
    return catalog;
  }

  @Override
  public StoreStats stats() {
    long fileBytes = 0;
    for (Pack p : packs.values()) {
      fileBytes += p.size();
    }
    return new StoreStats(index.size(), index.payloadBytes(), fileBytes);
  }

  @Override
  public void forEachId(Consumer<ChunkId> action) {
    index.forEach(action);
  }

  @Override
  public Optional<ChunkLocation> locate(ChunkId id) {
    ChunkIndex.Location loc = index.get(id);
    Pack pack = loc == null ? null : packs.get(loc.pack());
    return pack == null
        ? Optional.empty()
        : Optional.of(new ChunkLocation(pack.path(), loc.offset(), loc.length()));
  }

  @Override
  public Optional<Path> directory() {
    return Optional.of(dir);
  }

  @Override
  public long retainOnly(Predicate<ChunkId> live) throws IOException {
    return retainReachable(() -> live);
  }

  @Override
  public long retainReachable(LiveChunks live) throws IOException {
    health.throwIfFailed();
    gate.beginCollection();
    try {
      return compaction.collect(live.compute());
    } finally {
      gate.endCollection();
    }
  }

  @Override
  public void close() throws IOException {
    if (activePack.isClosed()) {
      return;
    }
    writeback.close();
    try {
      activePack.close();
    } finally {
      closePacks();
      lock.close();
    }
  }

  private void closePacks() {
    for (Pack p : packs.values()) {
      try {
        p.close();
      } catch (IOException e) {
        log.warn("store {}: closing pack {} failed: {}", dir, p.number(), e.toString());
      }
    }
    packs.clear();
  }

  @Override
  public String toString() {
    return "DiskChunkStore[" + dir + "]";
  }
}
