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
 * <p>Held in memory by whoever publishes repeatedly (a node); bounded to {@link #MAX_NAMES} names,
 * least recently published dropped first, and to publications of at most {@link #MAX_FILES} files.
 * Thread-safe.
 */
public final class PublishHistory {
  /** Names remembered; a publication of another drops the least recently published. */
  static final int MAX_NAMES = 256;

  /** Publications with more files than this are not remembered. */
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
  private final LinkedHashMap<String, Entry> byName;

  private PublishHistory(int maxNames) {
    this.maxNames = maxNames;
    this.byName = new LinkedHashMap<>(16, 0.75f, true);
  }

  /** A history of up to {@link #MAX_NAMES} names. */
  public static PublishHistory create() {
    return new PublishHistory(MAX_NAMES);
  }

  /** A history that remembers nothing: every publication reads every byte. */
  public static PublishHistory none() {
    return new PublishHistory(0);
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
    if (maxNames == 0 || entries.size() > MAX_FILES) {
      byName.remove(name);
      return;
    }
    Map<String, Placed> files = new HashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      FileStamp s = stamps.get(i);
      if (s != null) {
        files.put(entries.get(i).path(), new Placed(s, entries.get(i).dataOffset()));
      }
    }
    byName.put(name, new Entry(root, startedMillis, Map.copyOf(files)));
    while (byName.size() > maxNames) {
      byName.remove(byName.keySet().iterator().next());
    }
  }

  /** Forgets a name, after a publication of it failed or did not read its files. */
  synchronized void forget(String name) {
    byName.remove(name);
  }
}
