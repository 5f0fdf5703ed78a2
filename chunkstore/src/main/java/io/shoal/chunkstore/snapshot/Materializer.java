package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.AtomicFiles;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.Progress;
import io.shoal.chunkstore.Writeback;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Writes a snapshot out: a single-file snapshot becomes the file {@code target}, a directory
 * snapshot the directory {@code target}.
 *
 * <p>Nothing appears at {@code target} until everything is written: the snapshot is built in a
 * hidden sibling and renamed into place. What a crash leaves next to the target is cleaned up (or
 * the replaced target restored) by the next materialization into it ({@link OutputLeftovers}).
 * Every path of the file table is checked against the target before the first byte is written, and
 * every chunk is verified as it is read.
 */
public final class Materializer {
  static final int SEGMENT_BYTES = 8 << 20;
  static final long WRITEBACK_BYTES = 32L << 20;

  /**
   * How to materialize.
   *
   * @param sync fsync files and directories before the rename, so the result survives a crash
   * @param overwrite replace an existing target
   * @param threads reader and writer threads
   * @param selection the files to write (the rest of the snapshot is neither read nor written)
   */
  public record Options(boolean sync, boolean overwrite, int threads, FileSelection selection) {
    public Options {
      java.util.Objects.requireNonNull(selection, "selection");
    }

    public static Options defaults() {
      return new Options(
          true, false, Runtime.getRuntime().availableProcessors(), FileSelection.all());
    }

    public Options withOverwrite(boolean o) {
      return new Options(sync, o, threads, selection);
    }

    public Options withSync(boolean s) {
      return new Options(s, overwrite, threads, selection);
    }

    public Options withSelection(FileSelection s) {
      return new Options(sync, overwrite, threads, s);
    }
  }

  /** What was written. */
  public record Result(long files, long directories, long bytes) {}

  private Materializer() {}

  public static Result materialize(
      SnapshotReader reader, ChunkId rootId, Path target, Options options, Progress progress)
      throws IOException {
    SnapshotRoot root = reader.root(rootId);
    FileTable table = reader.fileTable(root);
    reader.leafCount(root.data()); // refuses a hostile DAG before anything is written
    try (Target t = open(root, table, target, options)) {
      progress.begin(t.selected.bytes());
      writeData(reader, root, t, options, progress, id -> true);
      return t.commit();
    }
  }

  /**
   * Writes into {@code t}, as {@link #materialize} does (in stream order, on {@code
   * options.threads()} threads), the selected data chunks of {@code root} that {@code which} takes,
   * read from {@code reader}: for a target whose other chunks arrive by other means.
   */
  public static void writeChunks(
      SnapshotReader reader, SnapshotRoot root, Target t, Predicate<ChunkId> which)
      throws IOException {
    reader.leafCount(root.data()); // refuses a hostile DAG before anything is written
    writeData(reader, root, t, t.options, Progress.none(), which);
  }

  /**
   * Prepares to write the snapshot {@code root} to {@code target} piece by piece, in any order: for
   * a caller that has the data stream's bytes as they come (a fetch writing chunks on arrival). The
   * checks {@link #materialize} makes are made here, before any byte is written. Only the files
   * {@code options.selection()} selects are laid out; bytes of the stream outside them are ignored.
   *
   * @throws IllegalArgumentException when the selection matches no entry of {@code table}
   */
  public static Target open(SnapshotRoot root, FileTable table, Path target, Options options)
      throws IOException {
    Path dest = target.toAbsolutePath().normalize();
    Path parent = dest.getParent();
    if (parent == null) {
      throw new IOException("cannot materialize to " + target);
    }
    if (root.singleFile()) {
      if (table.size() != 1 || table.entries().get(0).directory()) {
        throw new FormatException(root.label() + " says it is one file but lists " + table.size());
      }
    } else {
      for (FileEntry e : table.entries()) {
        SnapshotPaths.resolveInside(dest, e.path());
      }
    }
    FileSelection.Selected selected = options.selection().select(table, root.label());
    OutputLeftovers.recover(dest);
    checkTarget(dest, root.singleFile(), options.overwrite());
    Files.createDirectories(parent);
    String hidden = OutputLeftovers.tmpPrefix(dest);
    Path tmp =
        root.singleFile()
            ? Files.createTempFile(parent, hidden, "")
            : Files.createTempDirectory(parent, hidden);
    try {
      return new Target(tmp, dest, layOut(tmp, selected, root.singleFile()), selected, options);
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      throw e;
    }
  }

  /**
   * A materialization in progress, built in a hidden sibling of the target: {@link #write} the data
   * stream in any order (concurrently if need be), then {@link #commit} to move it into place.
   * Closing without committing removes everything written.
   */
  public static final class Target implements AutoCloseable {
    private final Path tmp;
    private final Path dest;
    private final Layout layout;
    private final FileSelection.Selected selected;
    private final Options options;
    private final Writeback writeback;
    private final OutputFiles outputs;
    private boolean committed;

    private Target(
        Path tmp, Path dest, Layout layout, FileSelection.Selected selected, Options options) {
      this.tmp = tmp;
      this.dest = dest;
      this.layout = layout;
      this.selected = selected;
      this.options = options;
      this.writeback = new Writeback("shoal-materialize-writeback", WRITEBACK_BYTES);
      this.outputs =
          new OutputFiles(
              layout.files,
              layout.filePaths,
              options.sync(),
              writeback,
              !selected.isWhole(),
              layout.keptModeBits,
              new DirectWriter());
    }

    /** Writes {@code data}, the data stream's bytes from {@code streamOffset}; thread-safe. */
    public void write(long streamOffset, ByteBuffer data) throws IOException {
      outputs.write(streamOffset, data);
    }

    /**
     * Checks every byte was written, makes it durable when asked and moves it into place.
     *
     * @throws IOException if a file is incomplete, a write fails, or without overwrite something
     *     appeared at the target meanwhile (a file, a directory that is not empty); nothing is
     *     moved then
     */
    public Result commit() throws IOException {
      outputs.finishAll();
      // A failed background fsync voids the final ones (see Writeback): nothing is moved then.
      writeback.close();
      writeback.throwIfFailed();
      finish(layout, options.sync());
      // Again: something may have appeared there while the snapshot was written (the rename below
      // would replace a file without a word).
      checkTarget(dest, layout.singleFile, options.overwrite());
      moveIntoPlace(tmp, dest, options.overwrite());
      committed = true;
      return new Result(layout.files.size(), layout.directories.size(), selected.bytes());
    }

    /** What this target writes of the snapshot. */
    public FileSelection.Selected selected() {
      return selected;
    }

    /** The path the snapshot appears at on commit. */
    public Path destination() {
      return dest;
    }

    @Override
    public void close() {
      outputs.close();
      writeback.close();
      if (!committed) {
        deleteTree(tmp);
      }
    }
  }

  /**
   * What can be checked of {@code target} before the snapshot's shape is known: without {@code
   * overwrite}, an existing file or non-empty directory is refused (an empty directory may still
   * take a directory snapshot). Lets a fetch fail before it moves a byte.
   */
  public static void checkTargetEarly(Path target, boolean overwrite) throws IOException {
    Path dest = target.toAbsolutePath().normalize();
    OutputLeftovers.recover(dest);
    if (overwrite || !Files.exists(dest, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(dest, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(
          dest.toString(), null, "exists (use --force to replace it)");
    }
    try (var entries = Files.list(dest)) {
      if (entries.findAny().isPresent()) {
        throw new DirectoryNotEmptyException(dest + " (use --force to replace it)");
      }
    }
  }

  private static void checkTarget(Path dest, boolean singleFile, boolean overwrite)
      throws IOException {
    if (!Files.exists(dest, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    boolean isDir = Files.isDirectory(dest, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    if (singleFile && isDir) {
      throw new FileAlreadyExistsException(dest.toString(), null, "is a directory; name a file");
    }
    if (!singleFile && !isDir) {
      throw new FileAlreadyExistsException(dest.toString(), null, "exists and is not a directory");
    }
    if (overwrite) {
      return;
    }
    if (!isDir) {
      throw new FileAlreadyExistsException(
          dest.toString(), null, "exists (use --force to replace it)");
    }
    try (var entries = Files.list(dest)) {
      if (entries.findAny().isPresent()) {
        throw new DirectoryNotEmptyException(dest + " (use --force to replace it)");
      }
    }
  }

  /** Where each entry goes. */
  private static final class Layout {
    final List<FileEntry> files = new ArrayList<>();
    final List<Path> filePaths = new ArrayList<>();
    final List<FileEntry> directories = new ArrayList<>();
    final List<Path> directoryPaths = new ArrayList<>();
    final Path root;
    final boolean singleFile;
    final int keptModeBits;

    Layout(Path root, boolean singleFile, int keptModeBits) {
      this.root = root;
      this.singleFile = singleFile;
      this.keptModeBits = keptModeBits;
    }
  }

  private static Layout layOut(Path tmp, FileSelection.Selected selected, boolean singleFile)
      throws IOException {
    // One file's chmod costs nothing worth a probe; the build directory of a tree takes the probe.
    Layout layout =
        new Layout(tmp, singleFile, singleFile ? 0 : OutputFiles.probeKeptModeBits(tmp));
    Set<Path> made = new HashSet<>();
    made.add(tmp.toAbsolutePath().normalize()); // the base resolveInside resolves against
    for (FileEntry e : selected.entries()) {
      Path p = singleFile ? tmp : SnapshotPaths.resolveInside(tmp, e.path());
      if (e.directory()) {
        makeDirectory(p, made);
        layout.directories.add(e);
        layout.directoryPaths.add(p);
      } else {
        if (!singleFile) {
          makeDirectory(p.getParent(), made);
        }
        layout.files.add(e);
        layout.filePaths.add(p);
      }
    }
    return layout;
  }

  /**
   * Creates {@code dir} and its missing parents below the build's root, each once: the build starts
   * empty, so {@code made} knows every directory there is, and no mkdir is tried twice (with a
   * hundred thousand files, {@link Files#createDirectories} per file cost a failed mkdir, an
   * exception and a stat each).
   */
  private static void makeDirectory(Path dir, Set<Path> made) throws IOException {
    if (made.contains(dir)) {
      return;
    }
    ArrayDeque<Path> missing = new ArrayDeque<>();
    for (Path d = dir; !made.contains(d); d = d.getParent()) {
      missing.push(d);
    }
    for (Path d : missing) {
      Files.createDirectory(d);
      made.add(d);
    }
  }

  private static void writeData(
      SnapshotReader reader,
      SnapshotRoot root,
      Target outputs,
      Options options,
      Progress progress,
      Predicate<ChunkId> which)
      throws IOException {
    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            options.threads(),
            r -> {
              Thread t = new Thread(r, "shoal-materialize-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    Segments segments =
        new Segments(reader, outputs, pool, new Semaphore(options.threads() * 2), progress);
    try {
      FileSelection.Selected selected = outputs.selected;
      long covered = 0; // the stream up to here is taken by chunks already submitted
      for (int r = 0; r < selected.rangeCount(); r++) {
        long end = selected.rangeEnd(r);
        if (end <= covered) {
          continue;
        }
        long from = Math.max(selected.rangeStart(r), covered);
        LeafCursor cursor = new LeafCursor(reader, root.data(), from);
        while (cursor.next() && cursor.offset() < end) {
          if (cursor.offset() < covered) {
            continue; // a chunk shared with the previous range is written once
          }
          covered = cursor.offset() + cursor.length();
          if (!which.test(cursor.id())) {
            continue; // a gap: the run before it is submitted with the next chunk taken
          }
          reader.checkLeaf(cursor.id(), cursor.length());
          segments.add(cursor.id(), cursor.offset(), cursor.length());
        }
      }
      segments.submit();
      segments.awaitAll();
    } finally {
      pool.shutdownNow();
    }
  }

  /** Sets directory modes bottom-up and makes the tree durable when asked. */
  private static void finish(Layout layout, boolean sync) throws IOException {
    for (int i = layout.directories.size() - 1; i >= 0; i--) {
      Path dir = layout.directoryPaths.get(i);
      int mode = layout.directories.get(i).mode();
      boolean readable = (mode & 0400) != 0;
      if (sync && !readable) {
        AtomicFiles.syncDirectory(dir);
      }
      setMode(dir, mode);
      if (sync && readable) {
        AtomicFiles.syncDirectory(dir);
      }
    }
    if (!layout.singleFile) {
      setMode(layout.root, 0755);
      if (sync) {
        AtomicFiles.syncDirectory(layout.root);
      }
    }
  }

  private static void moveIntoPlace(Path tmp, Path dest, boolean overwrite) throws IOException {
    if (overwrite && Files.isDirectory(dest, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Path old = Files.createTempDirectory(dest.getParent(), OutputLeftovers.oldPrefix(dest));
      Files.delete(old);
      Files.move(dest, old, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.move(tmp, dest);
      deleteTree(old);
      return;
    }
    AtomicFiles.move(tmp, dest);
  }

  static void setMode(Path p, int mode) throws IOException {
    Files.setPosixFilePermissions(p, SnapshotModes.toPermissions(mode));
  }

  /** Removes a directory tree, best effort (for temporary directories). */
  public static void deleteTreeQuietly(Path p) {
    deleteTree(p);
  }

  static void deleteTree(Path p) {
    try {
      if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        try (var walk = Files.walk(p)) {
          walk.sorted(java.util.Comparator.reverseOrder())
              .forEach(
                  q -> {
                    try {
                      q.toFile().setWritable(true);
                      Files.deleteIfExists(q);
                    } catch (IOException e) {
                      // Best effort: a leftover hidden temporary is harmless and named as such.
                    }
                  });
        }
      } else {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Best effort, as above.
    }
  }

  static void acquire(Semaphore s) throws InterruptedIOException {
    try {
      s.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("materialize interrupted");
    }
  }

  static void reapDone(List<Future<?>> pending) throws IOException {
    while (!pending.isEmpty() && pending.get(0).isDone()) {
      await(pending.remove(0));
    }
  }

  static void await(Future<?> f) throws IOException {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("materialize interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(c);
    }
  }
}
