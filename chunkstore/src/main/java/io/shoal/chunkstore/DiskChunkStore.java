package io.shoal.chunkstore;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable store: chunk records appended to pack files (a log, in the manner of Bitcask), an
 * in-memory index rebuilt at open from each sealed pack's hint file, and a catalog file.
 *
 * <p>Crash safety. A batch appends its records, fsyncs the packs it touched, and only then adds
 * them to the index, so a visible chunk is always durable. A pack is sealed (fsync, then its hint
 * written atomically) before the next one starts, so after a crash only the newest pack can lack a
 * hint; opening the store re-reads that pack, verifies every record against its id, cuts off a torn
 * tail, and seals it, logging what it did. No record that fails verification is ever indexed, so a
 * crash at any instant leaves no chunk whose bytes do not match its id.
 *
 * <p>Layout of the directory: {@code SHOAL-STORE} (format marker), {@code lock}, {@code catalog},
 * {@code packs/NNNNNNNN.pack} and {@code .hint}. Byte layouts are in {@code docs/formats.md}.
 */
final class DiskChunkStore implements ChunkStore {
  static final String MARKER_FILE = "SHOAL-STORE";
  static final int FORMAT_VERSION = 1;

  private static final Logger log = LoggerFactory.getLogger(DiskChunkStore.class);
  private static final Pattern PACK_NAME = Pattern.compile("(\\d{8})\\.pack");
  private static final int CACHE_ENTRY_OVERHEAD_BYTES = 96;

  private final Path dir;
  private final Path packDir;
  private final StoreOptions options;
  private final StoreLock lock;
  private final ChunkIndex index = new ChunkIndex();
  private final Map<Integer, Pack> packs = new ConcurrentHashMap<>();
  private final Cache<ChunkId, ByteBuffer> cache;
  private final Writeback writeback;
  private final BatchGate gate = new BatchGate();
  private final Catalog catalog;

  private final Object appendLock = new Object();

  /** Packs holding chunks made visible before they were durable. */
  private final Set<Pack> unsynced = ConcurrentHashMap.newKeySet();

  private Pack active;
  private List<HintFile.Entry> activeEntries = new ArrayList<>();
  private int nextPackNumber = 1;
  private volatile boolean closed;

  private DiskChunkStore(Path dir, StoreOptions options, StoreLock lock) throws IOException {
    this.dir = dir;
    this.packDir = dir.resolve("packs");
    this.options = options;
    this.lock = lock;
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(options.chunkCacheBytes())
            .<ChunkId, ByteBuffer>weigher((k, v) -> v.capacity() + CACHE_ENTRY_OVERHEAD_BYTES)
            .build();
    this.writeback = new Writeback("shoal-store-writeback", options.writebackBytes());
    CatalogFile catalogFile = new CatalogFile(dir.resolve("catalog"));
    this.catalog = new Catalog(catalogFile, catalogFile.read(), this::sync);
  }

  static DiskChunkStore open(Path dir, StoreOptions options) throws IOException {
    if (AtomicFiles.createPrivateDirectory(dir)) {
      log.warn(
          "store directory {} can be read by other users, who can read snapshot bytes from it;"
              + " chmod 700 {}",
          dir,
          dir);
    }
    StoreLock lock = StoreLock.acquire(dir);
    DiskChunkStore store = null;
    try {
      checkMarker(dir);
      Files.createDirectories(dir.resolve("packs"));
      store = new DiskChunkStore(dir, options, lock);
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

  private static void checkMarker(Path dir) throws IOException {
    Path marker = dir.resolve(MARKER_FILE);
    if (!Files.exists(marker)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path p : entries) {
          String name = p.getFileName().toString();
          if (!name.equals("lock")) {
            throw new FormatException(
                dir
                    + " is not a shoal store (it has no "
                    + MARKER_FILE
                    + " file) and is not empty; refusing to use it");
          }
        }
      }
      AtomicFiles.write(
          marker,
          ("shoal-store\nformat " + FORMAT_VERSION + "\n")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return;
    }
    List<String> lines = Files.readAllLines(marker);
    if (lines.size() < 2
        || !lines.get(0).equals("shoal-store")
        || !lines.get(1).startsWith("format ")) {
      throw new FormatException(marker + " is not a shoal store marker");
    }
    String v = lines.get(1).substring("format ".length()).trim();
    if (!v.equals(Integer.toString(FORMAT_VERSION))) {
      throw new FormatException(
          "store "
              + dir
              + " has format "
              + v
              + "; this shoal reads format "
              + FORMAT_VERSION
              + " only (a newer shoal wrote it?)");
    }
  }

  private void load() throws IOException {
    TreeMap<Integer, Path> found = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(packDir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        Matcher m = PACK_NAME.matcher(name);
        if (m.matches()) {
          found.put(Integer.parseInt(m.group(1)), p);
        } else if (name.endsWith(".tmp")) {
          Files.delete(p);
        }
      }
    }
    for (Map.Entry<Integer, Path> e : found.entrySet()) {
      int number = e.getKey();
      if (number > ChunkIndex.MAX_PACK_NUMBER) {
        throw new FormatException("pack number " + number + " is beyond the limit");
      }
      Pack pack = Pack.open(e.getValue(), number);
      List<HintFile.Entry> entries = readOrRebuildHint(pack);
      if (entries == null) {
        continue;
      }
      for (HintFile.Entry h : entries) {
        index.put(h.id(), number, h.offset(), h.length());
      }
      packs.put(number, pack);
      nextPackNumber = number + 1;
    }
    log.debug(
        "opened store {}: {} chunks, {} bytes in {} packs",
        dir,
        index.size(),
        index.payloadBytes(),
        packs.size());
  }

  /** The pack's visible records, or null when the pack held nothing and was removed. */
  private List<HintFile.Entry> readOrRebuildHint(Pack pack) throws IOException {
    try {
      Optional<List<HintFile.Entry>> hint =
          HintFile.read(pack.hintPath(), pack.number(), pack.size());
      if (hint.isPresent()) {
        return hint.get();
      }
    } catch (FormatException e) {
      log.warn("store {}: {}; rebuilding it from the pack", dir, e.getMessage());
    }
    Pack.ScanResult scan = pack.scan();
    if (scan.tailBytes() > 0) {
      log.warn(
          "store {}: pack {} ended in an unfinished write ({}); cut {} bytes after {} verified chunks",
          dir,
          pack.number(),
          scan.stopReason(),
          scan.tailBytes(),
          scan.entries().size());
      pack.truncate(scan.validEnd());
    }
    if (scan.entries().isEmpty()) {
      pack.close();
      Files.deleteIfExists(pack.hintPath());
      Files.delete(pack.path());
      AtomicFiles.syncDirectory(packDir);
      return null;
    }
    HintFile.write(pack.hintPath(), pack.number(), scan.entries());
    log.info(
        "store {}: recovered pack {} after an unclean stop: {} chunks verified and sealed",
        dir,
        pack.number(),
        scan.entries().size());
    return scan.entries();
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
        if (attempt > 0 || moved == null || moved.equals(loc) || closed) {
          throw closed
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
    if (closed) {
      throw new IllegalStateException("store " + dir + " is closed");
    }
    return new DiskBatch();
  }

  /** A record appended to a pack. */
  private record Appended(Pack pack, HintFile.Entry entry) {
    void index(ChunkIndex index) {
      index.put(entry.id(), (int) pack.number(), entry.offset(), entry.length());
    }
  }

  /** Appends under the append lock, rolling to a new pack when the active one is full. */
  private Appended append(VerifiedChunk chunk) throws IOException {
    synchronized (appendLock) {
      if (closed) {
        throw new IOException("store " + dir + " is closed");
      }
      if (active == null) {
        if (nextPackNumber > ChunkIndex.MAX_PACK_NUMBER) {
          throw new IOException("store " + dir + " ran out of pack numbers");
        }
        active = Pack.create(packDir, nextPackNumber++);
        activeEntries = new ArrayList<>();
        packs.put((int) active.number(), active);
      }
      Pack pack = active;
      long offset = pack.append(chunk);
      HintFile.Entry entry = new HintFile.Entry(chunk.id(), offset, chunk.length());
      activeEntries.add(entry);
      writeback.wrote(chunk.length(), pack::force);
      if (pack.size() >= options.packTargetBytes()) {
        sealActive();
      }
      return new Appended(pack, entry);
    }
  }

  /** Appends many chunks with one write, under the append lock. */
  private List<Appended> appendAll(List<VerifiedChunk> chunks) throws IOException {
    synchronized (appendLock) {
      if (closed) {
        throw new IOException("store " + dir + " is closed");
      }
      if (active == null) {
        if (nextPackNumber > ChunkIndex.MAX_PACK_NUMBER) {
          throw new IOException("store " + dir + " ran out of pack numbers");
        }
        active = Pack.create(packDir, nextPackNumber++);
        activeEntries = new ArrayList<>();
        packs.put((int) active.number(), active);
      }
      Pack pack = active;
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
      if (pack.size() >= options.packTargetBytes()) {
        sealActive();
      }
      return appended;
    }
  }

  /** The barrier: every chunk made visible so far becomes durable. */
  @Override
  public void sync() throws IOException {
    for (Pack p : List.copyOf(unsynced)) {
      // Removed before the fsync: a batch that exposes more of p meanwhile adds it back.
      unsynced.remove(p);
      try {
        p.force();
      } catch (java.nio.channels.ClosedChannelException e) {
        // Closed packs were sealed (forced) first, or collected: nothing left to make durable.
      } catch (IOException e) {
        unsynced.add(p);
        throw e;
      }
    }
  }

  /** Packs with chunks visible but not yet known durable (tests). */
  int unsyncedPacks() {
    return unsynced.size();
  }

  /** Seals the active pack: fsync, then its hint. Caller holds the append lock. */
  private void sealActive() throws IOException {
    if (active == null) {
      return;
    }
    unsynced.remove(active);
    active.force();
    HintFile.write(active.hintPath(), active.number(), activeEntries);
    active = null;
    activeEntries = new ArrayList<>();
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
    gate.beginCollection();
    try {
      synchronized (appendLock) {
        sealActive();
      }
      GcPlan plan = planCollection(live);
      compact(plan.toCompact());
      if (plan.removedBytes() > 0 || !plan.toCompact().isEmpty()) {
        log.info(
            "store {}: collected {} unreachable chunks ({} bytes), rewrote {} packs",
            dir,
            plan.removedChunks(),
            plan.removedBytes(),
            plan.toCompact().size());
      }
      return plan.removedBytes();
    } finally {
      gate.endCollection();
    }
  }

  /** A pack to rewrite, with the records to keep. */
  private record Rewrite(Pack pack, List<HintFile.Entry> keep, List<HintFile.Entry> all) {}

  private record GcPlan(List<Rewrite> toCompact, long removedChunks, long removedBytes) {}

  private GcPlan planCollection(Predicate<ChunkId> live) throws IOException {
    List<Rewrite> toCompact = new ArrayList<>();
    long removedChunks = 0;
    long removedBytes = 0;
    for (Pack pack : new TreeMap<>(packs).values()) {
      List<HintFile.Entry> all =
          HintFile.read(pack.hintPath(), pack.number(), pack.size())
              .orElseThrow(() -> new IOException("sealed pack " + pack.path() + " has no hint"));
      List<HintFile.Entry> keep = new ArrayList<>();
      long keepBytes = 0;
      for (HintFile.Entry e : all) {
        ChunkIndex.Location loc = index.get(e.id());
        boolean here = loc != null && loc.pack() == pack.number() && loc.offset() == e.offset();
        if (here && live.test(e.id())) {
          keep.add(e);
          keepBytes += PackRecord.HEADER_BYTES + e.length();
        } else if (here) {
          removedChunks++;
          removedBytes += e.length();
        }
      }
      if (keep.size() == all.size()) {
        continue;
      }
      double dead =
          1.0 - (double) keepBytes / Math.max(1, pack.size() - PackRecord.PACK_HEADER_BYTES);
      if (keep.isEmpty() || dead >= options.compactDeadFraction()) {
        toCompact.add(new Rewrite(pack, keep, all));
      } else {
        HintFile.write(pack.hintPath(), pack.number(), keep);
        Set<ChunkId> kept = new HashSet<>();
        keep.forEach(e -> kept.add(e.id()));
        for (HintFile.Entry e : all) {
          if (!kept.contains(e.id()) && index.removeIfIn(e.id(), (int) pack.number())) {
            cache.invalidate(e.id());
          }
        }
      }
    }
    return new GcPlan(toCompact, removedChunks, removedBytes);
  }

  /** Copies the kept records of each pack into the active pack, then deletes the old packs. */
  private void compact(List<Rewrite> rewrites) throws IOException {
    if (rewrites.isEmpty()) {
      return;
    }
    Set<Pack> touched = new LinkedHashSet<>();
    List<Appended> moved = new ArrayList<>();
    ByteBuffer buf = ByteBuffer.allocate(0);
    for (Rewrite r : rewrites) {
      for (HintFile.Entry e : r.keep()) {
        if (buf.capacity() < e.length()) {
          buf = ByteBuffer.allocate(e.length());
        }
        buf.clear().limit(e.length());
        r.pack().read(e.offset(), buf);
        Optional<VerifiedChunk> chunk = VerifiedChunk.verify(e.id(), buf.flip());
        if (chunk.isEmpty()) {
          log.warn(
              "store {}: chunk {} is corrupt in pack {}; dropped it",
              dir,
              e.id(),
              r.pack().number());
          continue;
        }
        Appended a = append(chunk.get());
        touched.add(a.pack());
        moved.add(a);
      }
    }
    for (Pack p : touched) {
      p.force();
    }
    for (Appended a : moved) {
      a.index(index);
    }
    synchronized (appendLock) {
      sealActive();
    }
    for (Rewrite r : rewrites) {
      int number = (int) r.pack().number();
      for (HintFile.Entry e : r.all()) {
        if (index.removeIfIn(e.id(), number)) {
          cache.invalidate(e.id());
        }
      }
      packs.remove(number);
      r.pack().close();
      Files.deleteIfExists(r.pack().hintPath());
      Files.deleteIfExists(r.pack().path());
    }
    AtomicFiles.syncDirectory(packDir);
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    writeback.close();
    try {
      synchronized (appendLock) {
        closed = true;
        sealActive();
      }
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

  /**
   * Keeps garbage collection and batches apart: collection starts only when no batch is open, and
   * batches opened while it runs wait for it. A thread that holds a batch may open another at any
   * time (collection never blocks new batches while merely waiting), so nesting cannot deadlock.
   */
  private static final class BatchGate {
    private int openBatches;
    private boolean collecting;

    synchronized void enterBatch() {
      boolean interrupted = false;
      while (collecting) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      openBatches++;
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    synchronized void exitBatch() {
      openBatches--;
      notifyAll();
    }

    synchronized void beginCollection() throws IOException {
      try {
        while (collecting || openBatches > 0) {
          wait();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while waiting for batches to close");
      }
      collecting = true;
    }

    synchronized void endCollection() {
      collecting = false;
      notifyAll();
    }
  }

  /** A batch; it keeps garbage collection out from creation to close. */
  private final class DiskBatch implements ChunkBatch {
    private final List<Appended> pending = new ArrayList<>();
    private final Set<ChunkId> pendingIds = new HashSet<>();
    private final Set<Pack> touched = new LinkedHashSet<>();
    private long addedChunks;
    private long addedBytes;
    private boolean open = true;

    DiskBatch() {
      gate.enterBatch();
    }

    @Override
    public boolean add(VerifiedChunk chunk) throws IOException {
      checkOpen();
      ChunkId id = chunk.id();
      if (index.contains(id) || pendingIds.contains(id)) {
        return false;
      }
      Appended a = append(chunk);
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
        for (Appended a : appendAll(fresh)) {
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
      for (Pack p : touched) {
        p.force();
      }
      // This batch may have skipped chunks another batch only made visible: make them durable.
      sync();
      indexPending();
    }

    @Override
    public void commitVisible() throws IOException {
      checkOpen();
      // Tracked before indexing, so a barrier that can see these chunks also syncs their packs.
      unsynced.addAll(touched);
      indexPending();
    }

    private void indexPending() {
      for (Appended a : pending) {
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
}
