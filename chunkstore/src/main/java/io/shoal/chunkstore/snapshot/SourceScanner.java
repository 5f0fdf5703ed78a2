package io.shoal.chunkstore.snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Walks what is being published and lists it in file-table order: depth-first, names in each
 * directory sorted by their UTF-8 bytes. Only regular files and directories are stored; a symbolic
 * link or a special file inside the tree is refused with a message naming it (the path given on the
 * command line may itself be a link, which is followed).
 */
final class SourceScanner {
  /**
   * What a scan found: the entries in table order, and for each regular file its path and its stamp
   * (null where the file system gives none).
   */
  record Scan(
      boolean singleFile, List<FileEntry> entries, List<Path> files, List<FileStamp> stamps) {}

  private final Path root;
  private final List<FileEntry> entries = new ArrayList<>();
  private final List<Path> files = new ArrayList<>();
  private final List<FileStamp> stamps = new ArrayList<>();

  private SourceScanner(Path root) {
    this.root = root;
  }

  static Scan scan(Path source) throws IOException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(source, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(source.toString(), null, "nothing to publish there");
    }
    SourceScanner s = new SourceScanner(source);
    if (attrs.isRegularFile()) {
      Path name = source.toAbsolutePath().normalize().getFileName();
      if (name == null) {
        throw new IOException("cannot publish " + source + ": it has no file name");
      }
      s.entries.add(new FileEntry(name.toString(), false, mode(source), attrs.size(), 0));
      s.files.add(source);
      s.stamps.add(Attributes.of(source).stamp());
      return new Scan(true, s.entries, s.files, s.stamps);
    }
    if (!attrs.isDirectory()) {
      throw new IOException("cannot publish " + source + ": not a regular file or a directory");
    }
    s.walk(source, "");
    return new Scan(false, s.entries, s.files, s.stamps);
  }

  private void walk(Path dir, String prefix) throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(children::add);
    }
    byte[][] keys = new byte[children.size()][];
    Integer[] order = new Integer[children.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = children.get(i).getFileName().toString().getBytes(StandardCharsets.UTF_8);
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(keys[a], keys[b]));
    for (int i : order) {
      Path child = children.get(i);
      String rel = prefix + child.getFileName();
      Attributes a = Attributes.of(child);
      String problem = SnapshotPaths.problem(rel);
      if (problem != null) {
        throw new UnsafePathException(rel, problem);
      }
      if (a.link()) {
        throw new IOException(
            "cannot publish "
                + root.resolve(rel)
                + ": it is a symbolic link (shoal stores regular files and directories only;"
                + " copy the target in or remove the link)");
      }
      if (a.directory()) {
        entries.add(new FileEntry(rel, true, a.mode(), 0, 0));
        walk(child, rel + "/");
      } else if (a.regular()) {
        entries.add(new FileEntry(rel, false, a.mode(), a.size(), 0));
        files.add(child);
        stamps.add(a.stamp());
      } else {
        throw new IOException(
            "cannot publish "
                + root.resolve(rel)
                + ": it is a special file (device, FIFO or socket); shoal stores regular files"
                + " and directories only");
      }
    }
  }

  /**
   * What the walk needs of a path inside the tree, links not followed: with one {@code lstat} where
   * the file system has a Unix view (a small file costs the scan one system call, not two).
   */
  private record Attributes(
      boolean directory, boolean regular, boolean link, long size, int mode, FileStamp stamp) {
    private static final String UNIX =
        "unix:mode,size,isDirectory,isRegularFile,isSymbolicLink,lastModifiedTime,dev,ino";

    static Attributes of(Path p) throws IOException {
      Map<String, Object> m;
      try {
        m = Files.readAttributes(p, UNIX, LinkOption.NOFOLLOW_LINKS);
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        BasicFileAttributes a =
            Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        boolean link = a.isSymbolicLink();
        return new Attributes(
            a.isDirectory(),
            a.isRegularFile(),
            link,
            a.size(),
            link ? 0 : SourceScanner.mode(p),
            null);
      }
      long size = (Long) m.get("size");
      FileStamp stamp =
          new FileStamp(
              size,
              ((FileTime) m.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
              (Long) m.get("dev"),
              (Long) m.get("ino"));
      return new Attributes(
          (Boolean) m.get("isDirectory"),
          (Boolean) m.get("isRegularFile"),
          (Boolean) m.get("isSymbolicLink"),
          size,
          (Integer) m.get("mode") & 07777,
          stamp);
    }
  }

  /** The POSIX permission bits, including setuid, setgid and sticky where the OS tells them. */
  static int mode(Path p) throws IOException {
    try {
      Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      if (mode instanceof Integer m) {
        return m & 07777;
      }
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      // Not a Unix file system view: fall back to the nine permission bits.
    }
    return SnapshotModes.fromPermissions(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }
}
