package io.shoal.chunkstore;

import com.github.benmanes.caffeine.cache.Cache;
import java.io.IOException;
import java.nio.ByteBuffer;
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
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Garbage collection of the packs: drops the chunks no longer live from the index, rewrites a
 * sealed pack's hint when few of its bytes died, and copies the live records of a mostly dead pack
 * into the active pack before deleting it. While {@link #deferRewritesWhile its owner says so} (the
 * node serves peers, whose reads the copy would slow), a mostly dead pack keeps its dead bytes and
 * only its hint is rewritten; the next collection that finds it idle copies it. The caller keeps
 * batches out while it runs ({@link BatchGate}).
 */
final class Compaction {
  private static final Logger log = LoggerFactory.getLogger(Compaction.class);

  /** How long collections may leave a mostly dead pack for a later one, by default. */
  static final long MAX_DEFER_NANOS = 10L * 60 * 1_000_000_000;

  /** A pack to rewrite, with the records to keep. */
  private record Rewrite(Pack pack, List<HintFile.Entry> keep, List<HintFile.Entry> all) {}

  private record Plan(
      List<Rewrite> toCompact, int deferred, long removedChunks, long removedBytes) {}

  private final Path dir;
  private final Path packDir;
  private final double compactDeadFraction;
  private final ChunkIndex index;
  private final Map<Integer, Pack> packs;
  private final Cache<ChunkId, ByteBuffer> cache;
  private final ActivePack activePack;
  private volatile BooleanSupplier deferRewrites = () -> false;
  private volatile long maxDeferNanos = MAX_DEFER_NANOS;

  /** Whether a mostly dead pack waits for a later collection, and since when. */
  private boolean deferring;

  private long deferringSinceNanos;

  /**
   * @param dir the store's directory, for messages
   * @param compactDeadFraction a pack whose dead bytes reach this fraction is rewritten
   */
  Compaction(
      Path dir,
      Path packDir,
      double compactDeadFraction,
      ChunkIndex index,
      Map<Integer, Pack> packs,
      Cache<ChunkId, ByteBuffer> cache,
      ActivePack activePack) {
    this.dir = dir;
    this.packDir = packDir;
    this.compactDeadFraction = compactDeadFraction;
    this.index = index;
    this.packs = packs;
    this.cache = cache;
    this.activePack = activePack;
  }

  /**
   * Collections that run while {@code busy} is true leave mostly dead packs for a later one instead
   * of copying their live records, for at most {@code maxDeferNanos} from the first they left: a
   * store always busy still gets its space back. {@code busy} is asked once per collection, on its
   * thread.
   */
  void deferRewritesWhile(BooleanSupplier busy, long maxDeferNanos) {
    this.deferRewrites = busy;
    this.maxDeferNanos = maxDeferNanos;
  }

  /** Keeps only the chunks {@code live} accepts; returns the payload bytes removed. */
  long collect(Predicate<ChunkId> live) throws IOException {
    activePack.seal();
    long start = System.nanoTime();
    boolean overdue = deferring && start - deferringSinceNanos >= maxDeferNanos;
    Plan plan = plan(live, !overdue && deferRewrites.getAsBoolean());
    if (plan.deferred() > 0 && !deferring) {
      deferringSinceNanos = start;
    }
    deferring = plan.deferred() > 0;
    long copied = compact(plan.toCompact());
    if (plan.removedBytes() > 0 || !plan.toCompact().isEmpty()) {
      log.info(
          "store {}: collected {} unreachable chunks ({} bytes), rewrote {} packs"
              + " (copied {} bytes) in {} ms{}",
          dir,
          plan.removedChunks(),
          plan.removedBytes(),
          plan.toCompact().size(),
          copied,
          (System.nanoTime() - start) / 1_000_000,
          plan.deferred() == 0
              ? ""
              : "; rewrites of " + plan.deferred() + " packs wait until peers are not served");
    }
    return plan.removedBytes();
  }

  private Plan plan(Predicate<ChunkId> live, boolean defer) throws IOException {
    List<Rewrite> toCompact = new ArrayList<>();
    int deferred = 0;
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
      if (all.isEmpty()) {
        continue;
      }
      // The dead bytes include records an earlier collection dropped in place: a pack whose
      // rewrite was deferred is rewritten by the next collection that may.
      double dead =
          1.0 - (double) keepBytes / Math.max(1, pack.size() - PackRecord.PACK_HEADER_BYTES);
      boolean mostlyDead = keep.isEmpty() || dead >= compactDeadFraction;
      if (mostlyDead && (!defer || keep.isEmpty())) {
        toCompact.add(new Rewrite(pack, keep, all));
      } else if (keep.size() != all.size()) {
        dropInPlace(pack, keep, all);
      }
      if (mostlyDead && defer && !keep.isEmpty()) {
        deferred++;
      }
    }
    return new Plan(toCompact, deferred, removedChunks, removedBytes);
  }

  /** Rewrites the hint of a pack that stays, and drops its dead records from the index. */
  private void dropInPlace(Pack pack, List<HintFile.Entry> keep, List<HintFile.Entry> all)
      throws IOException {
    HintFile.write(pack.hintPath(), pack.number(), keep);
    Set<ChunkId> kept = new HashSet<>();
    keep.forEach(e -> kept.add(e.id()));
    for (HintFile.Entry e : all) {
      if (!kept.contains(e.id()) && index.removeIfIn(e.id(), (int) pack.number())) {
        cache.invalidate(e.id());
      }
    }
  }

  /**
   * Copies the kept records of each pack into the active pack, then deletes the old packs; returns
   * the bytes copied.
   */
  private long compact(List<Rewrite> rewrites) throws IOException {
    if (rewrites.isEmpty()) {
      return 0;
    }
    List<ActivePack.Appended> moved = copyLive(rewrites);
    Set<Pack> touched = new LinkedHashSet<>();
    moved.forEach(a -> touched.add(a.pack()));
    for (Pack p : touched) {
      p.force();
    }
    for (ActivePack.Appended a : moved) {
      a.index(index);
    }
    activePack.seal();
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
    return moved.stream().mapToLong(a -> a.entry().length()).sum();
  }

  /** Appends the kept records that still verify; drops (and logs) the others. */
  private List<ActivePack.Appended> copyLive(List<Rewrite> rewrites) throws IOException {
    List<ActivePack.Appended> moved = new ArrayList<>();
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
        moved.add(activePack.append(chunk.get()));
      }
    }
    return moved;
  }
}
