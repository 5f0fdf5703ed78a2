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
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Garbage collection of the packs: drops the chunks no longer live from the index, rewrites a
 * sealed pack's hint when few of its bytes died, and copies the live records of a mostly dead pack
 * into the active pack before deleting it. The caller keeps batches out while it runs ({@link
 * BatchGate}).
 */
final class Compaction {
  private static final Logger log = LoggerFactory.getLogger(Compaction.class);

  /** A pack to rewrite, with the records to keep. */
  private record Rewrite(Pack pack, List<HintFile.Entry> keep, List<HintFile.Entry> all) {}

  private record Plan(List<Rewrite> toCompact, long removedChunks, long removedBytes) {}

  private final Path dir;
  private final Path packDir;
  private final double compactDeadFraction;
  private final ChunkIndex index;
  private final Map<Integer, Pack> packs;
  private final Cache<ChunkId, ByteBuffer> cache;
  private final ActivePack activePack;

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

  /** Keeps only the chunks {@code live} accepts; returns the payload bytes removed. */
  long collect(Predicate<ChunkId> live) throws IOException {
    activePack.seal();
    Plan plan = plan(live);
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
  }

  private Plan plan(Predicate<ChunkId> live) throws IOException {
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
      if (keep.isEmpty() || dead >= compactDeadFraction) {
        toCompact.add(new Rewrite(pack, keep, all));
      } else {
        dropInPlace(pack, keep, all);
      }
    }
    return new Plan(toCompact, removedChunks, removedBytes);
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

  /** Copies the kept records of each pack into the active pack, then deletes the old packs. */
  private void compact(List<Rewrite> rewrites) throws IOException {
    if (rewrites.isEmpty()) {
      return;
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
