package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.Writeback;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The regular files a materialization writes, addressed by data-stream offset. A file is opened at
 * its first write and, once its last byte is written, given its mode, made durable (when asked) and
 * closed, so only the files in progress hold descriptors.
 *
 * <p>Durability of many small files: one fsync per file costs a journal commit each, which for a
 * hundred thousand files takes minutes. Java has no {@code syncfs(2)}, so past {@link
 * #PER_FILE_SYNC_LIMIT} files the whole file system is flushed once with {@code sync -f}, and each
 * file is fsynced only if that is unavailable.
 *
 * <p>When only some of a snapshot's files are written ({@link FileSelection}), the stream's bytes
 * that fall between or after them are skipped.
 *
 * <p>A large write goes to the device directly, but for its unaligned ends ({@link DirectWriter});
 * a file then has a second descriptor, opened at its first such write and closed with the first.
 *
 * <p>Thread-safe: segments may be written concurrently.
 */
final class OutputFiles implements AutoCloseable {
  static final int PER_FILE_SYNC_LIMIT = 64;
  private static final int LOCK_STRIPES = 64;
  private static final int PERMISSION_BITS = 0777;
  private static final int OWNER_WRITE = 0200;
  private static final Set<StandardOpenOption> CREATE_WRITE =
      EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);

  private final List<FileEntry> files;
  private final List<Path> paths;
  private final long[] offsets;
  private final AtomicLongArray remaining;
  private final FileChannel[] channels;
  private final FileChannel[] directs;
  private final DirectWriter direct;
  private final Object[] locks = new Object[LOCK_STRIPES];
  private final boolean syncEachFile;
  private final boolean sync;
  private final Writeback writeback;
  private final boolean selective;
  private final int keptModeBits;

  /**
   * @param keptModeBits the permission bits a file created with a mode keeps (those the umask, or a
   *     directory's default ACL, does not strip; see {@link #probeKeptModeBits}): a file whose mode
   *     has no other bit is created with it and needs no chmod. 0 creates every file with the
   *     defaults and sets each mode afterwards.
   */
  OutputFiles(
      List<FileEntry> files,
      List<Path> paths,
      boolean sync,
      Writeback writeback,
      boolean selective,
      int keptModeBits,
      DirectWriter direct) {
    this.files = files;
    this.paths = paths;
    this.offsets = new long[files.size()];
    this.remaining = new AtomicLongArray(files.size());
    this.channels = new FileChannel[files.size()];
    this.directs = new FileChannel[files.size()];
    this.direct = direct;
    for (int i = 0; i < files.size(); i++) {
      offsets[i] = files.get(i).dataOffset();
      remaining.set(i, files.get(i).sizeBytes());
    }
    for (int i = 0; i < LOCK_STRIPES; i++) {
      locks[i] = new Object();
    }
    this.sync = sync;
    this.syncEachFile = sync && files.size() <= PER_FILE_SYNC_LIMIT;
    this.writeback = writeback;
    this.selective = selective;
    this.keptModeBits = keptModeBits;
  }

  /**
   * The permission bits a new file in {@code dir} keeps of the mode it is created with, learnt once
   * from a probe file created with every bit; 0 where the file system has no POSIX permissions.
   * Creating each file with its mode spares a chmod per file.
   */
  static int probeKeptModeBits(Path dir) throws IOException {
    Path probe;
    try {
      probe =
          Files.createTempFile(
              dir,
              ".mode-probe-",
              "",
              PosixFilePermissions.asFileAttribute(SnapshotModes.toPermissions(PERMISSION_BITS)));
    } catch (UnsupportedOperationException e) {
      return 0;
    }
    try {
      return SnapshotModes.fromPermissions(Files.getPosixFilePermissions(probe));
    } finally {
      Files.delete(probe);
    }
  }

  /** Writes {@code data}, which holds the stream's bytes from {@code streamStart}. */
  void write(long streamStart, ByteBuffer data) throws IOException {
    long end = streamStart + data.remaining();
    int i = firstFileAt(streamStart);
    long pos = streamStart;
    while (pos < end) {
      if (i >= files.size()) {
        if (selective) {
          return; // past the last file written
        }
        throw new IOException("data stream is longer than the file table says");
      }
      FileEntry f = files.get(i);
      if (f.sizeBytes() == 0 || f.dataEnd() <= pos) {
        i++;
        continue;
      }
      if (f.dataOffset() > pos) {
        pos = Math.min(end, f.dataOffset()); // bytes of files not written (a selection)
        continue;
      }
      long n = Math.min(end, f.dataEnd()) - pos;
      ByteBuffer slice = data.duplicate();
      slice.position((int) (pos - streamStart)).limit((int) (pos - streamStart + n));
      FileChannel ch = channel(i);
      long at = pos - f.dataOffset();
      FileChannel d = direct.worthIt(at, n) ? directChannel(i) : null;
      if (d != null) {
        direct.write(ch, d, slice, at);
      } else {
        DirectWriter.writeBuffered(ch, slice, at);
      }
      if (sync) {
        writeback.wrote(n, () -> forceUnlessCompleted(ch));
      }
      if (remaining.addAndGet(i, -n) == 0) {
        complete(i);
      }
      pos += n;
      i++;
    }
  }

  /** Completes the empty files and flushes everything when per-file syncs were skipped. */
  void finishAll() throws IOException {
    for (int i = 0; i < files.size(); i++) {
      if (files.get(i).sizeBytes() == 0) {
        channel(i);
        complete(i);
      } else if (remaining.get(i) != 0) {
        throw new IOException(paths.get(i) + " is missing " + remaining.get(i) + " bytes");
      }
    }
    if (sync && !syncEachFile && !syncFileSystem(paths.isEmpty() ? null : paths.get(0))) {
      for (Path p : paths) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
          ch.force(true);
        }
      }
    }
  }

  private int firstFileAt(long pos) {
    int lo = 0;
    int hi = offsets.length - 1;
    int found = 0;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (offsets[mid] <= pos) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    // Several empty files may share the offset; start at the first of them.
    while (found > 0 && offsets[found - 1] == offsets[found]) {
      found--;
    }
    return found;
  }

  private FileChannel channel(int i) throws IOException {
    synchronized (locks[i % LOCK_STRIPES]) {
      if (channels[i] == null) {
        int mode = files.get(i).mode() & PERMISSION_BITS;
        channels[i] =
            createsWithMode(mode)
                ? FileChannel.open(
                    paths.get(i),
                    CREATE_WRITE,
                    PosixFilePermissions.asFileAttribute(SnapshotModes.toPermissions(mode)))
                : FileChannel.open(paths.get(i), CREATE_WRITE);
      }
      return channels[i];
    }
  }

  /**
   * File {@code i}'s descriptor for direct writes, opened at its first large write; null when its
   * file system refuses them or its mode does not let the owner write it (see {@link
   * DirectWriter}).
   */
  private FileChannel directChannel(int i) throws IOException {
    channel(i); // creates the file
    synchronized (locks[i % LOCK_STRIPES]) {
      if (directs[i] == null && (files.get(i).mode() & OWNER_WRITE) != 0) {
        directs[i] = direct.open(paths.get(i));
      }
      return directs[i];
    }
  }

  /**
   * The background flush of a file still being written. One queued behind the file's last bytes may
   * find it completed and closed: {@link #complete} forced it then, or {@link #finishAll} syncs it,
   * so there is nothing left to do (a 1 GiB get failed with "a background fsync failed:
   * ClosedChannelException" when the flush ran after the close).
   */
  static void forceUnlessCompleted(FileChannel ch) throws IOException {
    try {
      ch.force(false);
    } catch (ClosedChannelException e) {
      // completed meanwhile: see above
    }
  }

  private void complete(int i) throws IOException {
    FileChannel ch;
    FileChannel d;
    synchronized (locks[i % LOCK_STRIPES]) {
      ch = channels[i];
      channels[i] = null;
      d = directs[i];
      directs[i] = null;
    }
    try {
      if (!createsWithMode(files.get(i).mode() & PERMISSION_BITS)) {
        Materializer.setMode(paths.get(i), files.get(i).mode());
      }
      if (syncEachFile) {
        ch.force(true);
      }
    } finally {
      closeQuietly(d); // its writes are done; the fsync above covers them
      ch.close();
    }
  }

  /**
   * Whether a file of {@code mode} is created with it: when creation keeps all its bits. A
   * read-only mode is fine, as the descriptor that creates the file may write it, and it is held
   * until the file's last byte is written.
   */
  private boolean createsWithMode(int mode) {
    return keptModeBits != 0 && (mode & ~keptModeBits) == 0;
  }

  /** Flushes the file system holding {@code any} with {@code sync -f}; false if that failed. */
  private static boolean syncFileSystem(Path any) {
    if (any == null) {
      return true;
    }
    try {
      Process p =
          new ProcessBuilder("sync", "-f", any.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < channels.length; i++) {
      closeQuietly(channels[i]);
      closeQuietly(directs[i]);
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // Closing after a failure; the failure is what gets reported.
      }
    }
  }
}
