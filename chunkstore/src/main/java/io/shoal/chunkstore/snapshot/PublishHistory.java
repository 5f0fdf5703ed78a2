package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the latest publication of each name read, so that the next one can take the chunks of files
 * that have not changed since from the store instead of reading and hashing them again ({@link
 * ReusePlan}). A file counts as unchanged when its path, length, modification time, device and
 * inode are those recorded and it was last modified at least {@link #SETTLED_MILLIS} before that
 * publication began: a file written again within the clock's granularity of the first read could
 * otherwise keep its time (git's "racily clean" rule). A file rewritten in place that keeps its
 * length and has its modification time set back by hand is taken as unchanged, as rsync does; a
 * publication with {@code force} never reuses.
 *
 * <p>Held in memory by whoever publishes repeatedly (a node); bounded to {@link #MAX_NAMES} names
 * and {@link #MAX_FILES} files over all of them, the least recently published dropped first.
 * Thread-safe.
 */
public final class PublishHistory {
  /** Names remembered; a publication of another drops the least recently published. */
  static final int MAX_NAMES = 256;

  /** Files remembered over all names (about 100 B each); a larger publication is not remembered. */
  static final int MAX_FILES = 1 << 20;

  /** How long before a publication's start a file must have been last modified to be trusted. */
  static final long SETTLED_MILLIS = 1_000;

  /** The files of one publication, by path, with where each started in its data stream. */
  record Entry(ChunkId root, long startedMillis, Map<String, Placed> files) {

    /** The recorded file at {@code path} if it is still the one with {@code now}'s stamp. */
    Optional<Placed> unchanged(String path, FileStamp now) {
      Placed p = files.get(path);
      if (p == null || !p.stamp().equals(now)) {
        return Optional.empty();
      }
      boolean settled = now.modifiedNanos() / 1_000_000 < startedMillis - SETTLED_MILLIS;
      return settled ? Optional.of(p) : Optional.empty();
    }
  }

  /** A file as it was published: its stamp and its offset in the data stream. */
  record Placed(FileStamp stamp, long dataOffset) {}

  private final int maxNames;
  private final int maxFiles;
  private final LinkedHashMap<String, Entry> byName;
  private long files;

  PublishHistory(int maxNames, int maxFiles) {
    this.maxNames = maxNames;
    this.maxFiles = maxFiles;
    this.byName = new LinkedHashMap<>(16, 0.75f, true);
  }

  /** A history of up to {@link #MAX_NAMES} names and {@link #MAX_FILES} files. */
  public static PublishHistory create() {
    return new PublishHistory(MAX_NAMES, MAX_FILES);
  }

  /** A history that remembers nothing: every publication reads every byte. */
  public static PublishHistory none() {
    return new PublishHistory(0, 0);
  }

  synchronized Optional<Entry> latest(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * Remembers that {@code root} holds {@code entries} (the regular files, in table order) read with
   * {@code stamps} (null where the file system gave none) by a publication started at {@code
   * startedMillis}.
   */
  synchronized void record(
      String name,
      ChunkId root,
      long startedMillis,
      List<FileEntry> entries,
      List<FileStamp> stamps) {
    forget(name);
    if (maxNames == 0 || entries.size() > maxFiles) {
      return;
    }
    Map<String, Placed> placed = new HashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      FileStamp s = stamps.get(i);
      if (s != null) {
        placed.put(entries.get(i).path(), new Placed(s, entries.get(i).dataOffset()));
      }
    }
    byName.put(name, new Entry(root, startedMillis, Map.copyOf(placed)));
    files += placed.size();
    while (byName.size() > maxNames || files > maxFiles) {
      forget(byName.keySet().iterator().next());
    }
  }

  /** Forgets a name, after a publication of it failed or did not read its files. */
  synchronized void forget(String name) {
    Entry gone = byName.remove(name);
    if (gone != null) {
      files -= gone.files().size();
    }
  }

  /** Files remembered over all names. */
  synchronized long files() {
    return files;
  }
}
