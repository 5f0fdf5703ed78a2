package io.shoal.chunkstore.snapshot;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Which files of a snapshot to fetch and write ({@code get --path GLOB}): every regular file whose
 * snapshot-relative path, or the path of a directory above it, matches one of the globs ({@link
 * java.nio.file.FileSystem#getPathMatcher} {@code glob:} syntax, so {@code *} stays within one
 * component and {@code **} crosses them). {@link #all()} selects everything.
 *
 * <p>A selection can also be {@link #chosen} by code that sees the whole file table (which segments
 * of a change log a follower lacks), rather than by globs.
 *
 * <p>Immutable. Equal selections have equal globs in the same order, or the same chooser's label.
 */
public final class FileSelection {
  /** Most globs one selection takes. */
  public static final int MAX_GLOBS = 64;

  /** Picks the regular files to take from a whole file table; deterministic for one table. */
  @FunctionalInterface
  public interface Chooser {
    /** The regular files of {@code table} to take, a subset of its entries. */
    List<FileEntry> choose(FileTable table);
  }

  private static final FileSelection ALL = new FileSelection(List.of(), List.of(), null, null);

  private final List<String> globs;
  private final List<PathMatcher> matchers;
  private final String label; // of a chosen selection, else null
  private final Chooser chooser; // of a chosen selection, else null

  private FileSelection(
      List<String> globs, List<PathMatcher> matchers, String label, Chooser chooser) {
    this.globs = globs;
    this.matchers = matchers;
    this.label = label;
    this.chooser = chooser;
  }

  /**
   * The files {@code chooser} picks once the file table is known; {@code label} says which in
   * messages and tells selections apart (two with the same label are equal).
   */
  public static FileSelection chosen(String label, Chooser chooser) {
    return new FileSelection(List.of(), List.of(), label, chooser);
  }

  /** Every file. */
  public static FileSelection all() {
    return ALL;
  }

  /**
   * The files {@code globs} match; none given (null or empty) means all.
   *
   * @throws IllegalArgumentException naming a malformed glob, or past {@link #MAX_GLOBS}
   */
  public static FileSelection of(List<String> globs) {
    if (globs == null || globs.isEmpty()) {
      return ALL;
    }
    if (globs.size() > MAX_GLOBS) {
      throw new IllegalArgumentException(
          globs.size() + " --path globs given; at most " + MAX_GLOBS + " are taken");
    }
    List<PathMatcher> matchers = new ArrayList<>(globs.size());
    for (String glob : globs) {
      if (glob == null || glob.isEmpty() || glob.startsWith("/")) {
        throw new IllegalArgumentException(
            "bad --path glob '"
                + glob
                + "': want a path relative to the snapshot, like 'dir/*.md'");
      }
      try {
        matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "bad --path glob '" + glob + "': " + e.getDescription(), e);
      }
    }
    return new FileSelection(List.copyOf(globs), List.copyOf(matchers), null, null);
  }

  public boolean isAll() {
    return globs.isEmpty() && chooser == null;
  }

  /** The globs as given; empty for {@link #all()}. */
  public List<String> globs() {
    return globs;
  }

  /**
   * Whether the file or directory at {@code path} is selected, itself or by a directory above.
   *
   * @throws IllegalStateException for a {@link #chosen} selection: only its table tells
   */
  public boolean matches(String path) {
    if (isAll()) {
      return true;
    }
    if (chooser != null) {
      throw new IllegalStateException(label + " is known only from the whole file table");
    }
    for (String p = path; ; ) {
      Path candidate = Path.of(p);
      for (PathMatcher m : matchers) {
        if (m.matches(candidate)) {
          return true;
        }
      }
      int slash = p.lastIndexOf('/');
      if (slash < 0) {
        return false;
      }
      p = p.substring(0, slash);
    }
  }

  /**
   * The entries of {@code table} this selects: the selected regular files, the directories they lie
   * in and the selected directories, in table order; with the byte ranges of the data stream those
   * files cover.
   *
   * @param label the snapshot, for the error
   * @throws IllegalArgumentException when no entry matches
   */
  public Selected select(FileTable table, String label) {
    if (isAll()) {
      return new Selected(table.entries(), new long[] {0}, new long[] {table.dataBytes()}, true);
    }
    Set<String> dirsAbove = new HashSet<>();
    List<FileEntry> all = table.entries();
    BitSet chosen = new BitSet(all.size());
    Set<String> picked = null;
    if (chooser != null) {
      picked = new HashSet<>();
      for (FileEntry e : chooser.choose(table)) {
        if (!e.directory()) {
          picked.add(e.path());
        }
      }
    }
    for (int i = 0; i < all.size(); i++) {
      String path = all.get(i).path();
      if (picked != null ? picked.contains(path) && !all.get(i).directory() : matches(path)) {
        chosen.set(i);
        for (int s = path.lastIndexOf('/'); s > 0; s = path.lastIndexOf('/', s - 1)) {
          if (!dirsAbove.add(path.substring(0, s))) {
            break;
          }
        }
      }
    }
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException(
          chooser != null
              ? "no file of " + label + " is among " + this.label
              : "no file of " + label + " matches --path " + String.join(", ", quoted()));
    }
    List<FileEntry> entries = new ArrayList<>(chosen.cardinality() + dirsAbove.size());
    for (int i = 0; i < all.size(); i++) {
      FileEntry e = all.get(i);
      if (chosen.get(i) || (e.directory() && dirsAbove.contains(e.path()))) {
        entries.add(e);
      }
    }
    return Selected.of(entries);
  }

  private List<String> quoted() {
    return globs.stream().map(g -> "'" + g + "'").toList();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileSelection s && s.globs.equals(globs) && Objects.equals(s.label, label);
  }

  @Override
  public int hashCode() {
    return Objects.hash(globs, label);
  }

  @Override
  public String toString() {
    return isAll() ? "all files" : label != null ? label : String.join(", ", quoted());
  }

  /**
   * The entries a selection takes of one file table, and the data-stream ranges of its files,
   * merged where they touch, sorted.
   */
  public static final class Selected {
    private final List<FileEntry> entries;
    private final long[] starts;
    private final long[] ends;
    private final boolean whole;

    private Selected(List<FileEntry> entries, long[] starts, long[] ends, boolean whole) {
      this.entries = entries;
      this.starts = starts;
      this.ends = ends;
      this.whole = whole;
    }

    static Selected of(List<FileEntry> entries) {
      long[] starts = new long[entries.size()];
      long[] ends = new long[entries.size()];
      int n = 0;
      for (FileEntry e : entries) {
        if (e.directory() || e.sizeBytes() == 0) {
          continue;
        }
        if (n > 0 && ends[n - 1] == e.dataOffset()) {
          ends[n - 1] = e.dataEnd();
        } else {
          starts[n] = e.dataOffset();
          ends[n] = e.dataEnd();
          n++;
        }
      }
      return new Selected(
          List.copyOf(entries), Arrays.copyOf(starts, n), Arrays.copyOf(ends, n), false);
    }

    /** The selected entries, in table order. */
    public List<FileEntry> entries() {
      return entries;
    }

    /** Whether this is the whole table. */
    public boolean isWhole() {
      return whole;
    }

    /** Bytes of the selected files. */
    public long bytes() {
      long sum = 0;
      for (int i = 0; i < starts.length; i++) {
        sum += ends[i] - starts[i];
      }
      return sum;
    }

    /** How many separate byte ranges of the data stream the selected files cover. */
    public int rangeCount() {
      return starts.length;
    }

    public long rangeStart(int i) {
      return starts[i];
    }

    public long rangeEnd(int i) {
      return ends[i];
    }

    /** Whether bytes {@code [offset, offset + length)} of the data stream hold selected bytes. */
    public boolean overlaps(long offset, long length) {
      // The last range starting before the chunk's end is the only one that can overlap it.
      int lo = 0;
      int hi = starts.length - 1;
      int found = -1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (starts[mid] < offset + length) {
          found = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return found >= 0 && ends[found] > offset;
    }
  }
}
