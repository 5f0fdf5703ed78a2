package io.shoal.chunkstore;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening a store's packs: each sealed pack's records come from its hint file. The newest pack
 * without a hint (the one being written at a crash) is scanned, every record verified against its
 * id, a torn tail cut off, and the pack sealed. A sealed pack whose hint is damaged is rescanned
 * skipping only its damaged records ({@link PackScan}). No record that fails verification is ever
 * indexed. Leftover temporary files of a pack being created are deleted.
 */
final class PackRecovery {
  private static final Logger log = LoggerFactory.getLogger(PackRecovery.class);
  private static final Pattern PACK_NAME = Pattern.compile("(\\d{8})\\.pack");

  private PackRecovery() {}

  /**
   * Opens every pack in {@code packDir} into {@code packs}, indexes their visible records in {@code
   * index}, and returns the number the next new pack takes.
   *
   * @param dir the store's directory, for messages
   */
  static int load(
      Path dir, Path packDir, ChunkIndex index, Map<Integer, Pack> packs, StoreHealth health)
      throws IOException {
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
    int nextPackNumber = 1;
    for (Map.Entry<Integer, Path> e : found.entrySet()) {
      int number = e.getKey();
      if (number > ChunkIndex.MAX_PACK_NUMBER) {
        throw new FormatException("pack number " + number + " is beyond the limit");
      }
      Pack pack = Pack.open(e.getValue(), number, health);
      List<HintFile.Entry> entries =
          readOrRebuildHint(dir, packDir, pack, number == found.lastKey());
      if (entries == null) {
        continue;
      }
      for (HintFile.Entry h : entries) {
        index.put(h.id(), number, h.offset(), h.length());
      }
      packs.put(number, pack);
      nextPackNumber = number + 1;
    }
    return nextPackNumber;
  }

  /**
   * The pack's visible records, or null when the pack held nothing and was removed.
   *
   * @param newest whether no later pack exists: then a missing hint means the pack was being
   *     written when the process stopped
   */
  private static List<HintFile.Entry> readOrRebuildHint(
      Path dir, Path packDir, Pack pack, boolean newest) throws IOException {
    boolean sealed = !newest;
    try {
      Optional<List<HintFile.Entry>> hint =
          HintFile.read(pack.hintPath(), pack.number(), pack.size());
      if (hint.isPresent()) {
        return hint.get();
      }
    } catch (FormatException e) {
      log.warn("store {}: {}; rebuilding it from the pack", dir, e.getMessage());
      sealed = true;
    }
    PackScan.Result scan = sealed ? rescanSealed(dir, pack) : recoverUnfinished(dir, pack);
    if (scan.entries().isEmpty()) {
      pack.close();
      Files.deleteIfExists(pack.hintPath());
      Files.delete(pack.path());
      AtomicFiles.syncDirectory(packDir);
      return null;
    }
    HintFile.write(pack.hintPath(), pack.number(), scan.entries());
    log.info(
        sealed
            ? "store {}: rebuilt the hint of pack {}: {} chunks verified"
            : "store {}: recovered pack {} after an unclean stop: {} chunks verified and sealed",
        dir,
        pack.number(),
        scan.entries().size());
    return scan.entries();
  }

  /** The pack being written at a crash: nothing after its first bad record was acknowledged. */
  private static PackScan.Result recoverUnfinished(Path dir, Pack pack) throws IOException {
    PackScan.Result scan = PackScan.untilDamage(pack);
    if (scan.tailBytes() > 0) {
      log.warn(
          "store {}: pack {} ended in an unfinished write ({}); cut {} bytes after {} verified chunks",
          dir,
          pack.number(),
          scan.firstDamage(),
          scan.tailBytes(),
          scan.entries().size());
      pack.truncate(scan.validEnd());
    }
    return scan;
  }

  /** A sealed pack: every record was durable, so a bad one costs only itself. */
  private static PackScan.Result rescanSealed(Path dir, Pack pack) throws IOException {
    PackScan.Result scan = PackScan.skippingDamage(pack);
    if (scan.skippedRecords() > 0) {
      log.warn(
          "store {}: pack {} holds {} damaged records ({} bytes, the first: {}); skipped them and"
              + " kept the {} verified chunks around them",
          dir,
          pack.number(),
          scan.skippedRecords(),
          scan.skippedBytes(),
          scan.firstDamage(),
          scan.entries().size());
    }
    return scan;
  }
}
