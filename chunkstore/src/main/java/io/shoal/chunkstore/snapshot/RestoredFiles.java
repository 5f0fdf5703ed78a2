package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.VerifiedChunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A snapshot just restored to a path, held by hard links in a directory of the node's own, so that
 * its data chunks can be read back into the store after the restore has returned: the service may
 * move, open and change its files meanwhile, and a link keeps each file's bytes as long as nothing
 * writes into it. Every chunk read back is verified against its id, so a file changed since is
 * skipped, never stored under the wrong id.
 *
 * <p>Links cannot cross file systems: {@link #link} throws then, and the caller keeps the data
 * another way. A file gone before it was linked is not linked; its chunks count as changed.
 *
 * <p>Not thread-safe: one caller links, keeps and closes.
 */
public final class RestoredFiles implements AutoCloseable {
  /** Receives a verified chunk read back; it must be done with the bytes when it returns. */
  @FunctionalInterface
  public interface ChunkSink {
    void accept(VerifiedChunk chunk) throws IOException;
  }

  /**
   * What {@link #keep} did.
   *
   * @param chunks chunks read back, verified and handed on
   * @param bytes their bytes
   * @param changed chunks skipped: a file they lie in was gone or no longer held their bytes
   */
  public record Kept(long chunks, long bytes, long changed) {}

  /**
   * Files a restore links at most: a link costs about 20 us here (20,000 in 0.36 s), so a snapshot
   * of many small files would spend longer linking, on the restore's own time, than the store's
   * copy costs it. A restore of more keeps the store's copy as the chunks arrive.
   */
  public static final long MAX_FILES = 10_000;

  /** Whether a restore of {@code table} may leave its data to its files ({@link #MAX_FILES}). */
  public static boolean linkable(FileTable table) {
    return table.fileCount() <= MAX_FILES;
  }

  private final Path staging;
  private final List<FileEntry> files; // regular, not empty, in stream order
  private final List<Path> links; // null where the file was gone

  private RestoredFiles(Path staging, List<FileEntry> files, List<Path> links) {
    this.staging = staging;
    this.files = files;
    this.links = links;
  }

  /**
   * Links every regular file of {@code root} as restored at {@code restored} (the file itself for a
   * single-file snapshot) into {@code staging}, which is created and must not exist.
   *
   * @throws IOException when a link cannot be made (another file system); nothing is left then
   */
  public static RestoredFiles link(
      SnapshotReader reader, SnapshotRoot root, Path restored, Path staging) throws IOException {
    FileTable table = reader.fileTable(root);
    Files.createDirectories(staging.getParent());
    Files.createDirectory(staging);
    List<FileEntry> files = new ArrayList<>();
    List<Path> links = new ArrayList<>();
    try {
      for (FileEntry e : table.entries()) {
        if (e.directory() || e.sizeBytes() == 0) {
          continue;
        }
        Path source =
            root.singleFile() ? restored : SnapshotPaths.resolveInside(restored, e.path());
        Path link = staging.resolve(Integer.toString(files.size()));
        files.add(e);
        try {
          links.add(Files.createLink(link, source));
        } catch (NoSuchFileException gone) {
          links.add(null);
        }
      }
    } catch (IOException | RuntimeException e) {
      Materializer.deleteTree(staging);
      throw e;
    }
    return new RestoredFiles(staging, files, links);
  }

  /**
   * Reads back, in stream order, each data chunk of {@code root} that {@code wanted} takes, and
   * hands it to {@code sink} once its bytes hash to its id.
   */
  public Kept keep(
      SnapshotReader reader, SnapshotRoot root, Predicate<ChunkId> wanted, ChunkSink sink)
      throws IOException {
    long chunks = 0;
    long bytes = 0;
    long changed = 0;
    ByteBuffer buffer = ByteBuffer.allocateDirect(0);
    Reads reads = new Reads();
    try {
      LeafCursor cursor = new LeafCursor(reader, root.data(), 0);
      while (cursor.next()) {
        if (!wanted.test(cursor.id())) {
          continue;
        }
        if (buffer.capacity() < cursor.length()) {
          buffer = ByteBuffer.allocateDirect(cursor.length());
        }
        buffer.clear().limit(cursor.length());
        var chunk =
            reads.fill(buffer, cursor.offset())
                ? VerifiedChunk.verify(cursor.id(), buffer.flip())
                : Optional.<VerifiedChunk>empty();
        if (chunk.isEmpty()) {
          changed++;
          continue;
        }
        sink.accept(chunk.get());
        chunks++;
        bytes += cursor.length();
      }
    } finally {
      reads.close();
    }
    return new Kept(chunks, bytes, changed);
  }

  /** Removes the links. */
  @Override
  public void close() {
    Materializer.deleteTree(staging);
  }

  /** The linked files opened for reading, one at a time, as the stream moves through them. */
  private final class Reads implements AutoCloseable {
    private int open = -1;
    private FileChannel channel;

    /**
     * Fills {@code buffer} with the stream's bytes from {@code at}; false when a file fell short.
     */
    boolean fill(ByteBuffer buffer, long at) throws IOException {
      long pos = at;
      int i = fileAt(pos);
      while (buffer.hasRemaining()) {
        if (i >= files.size() || files.get(i).dataOffset() > pos) {
          return false; // the stream has no file here: not a chunk of these files
        }
        FileEntry f = files.get(i);
        FileChannel ch = channel(i);
        if (ch == null) {
          return false;
        }
        int want = (int) Math.min(buffer.remaining(), f.dataEnd() - pos);
        ByteBuffer part = buffer.slice(buffer.position(), want);
        long inFile = pos - f.dataOffset();
        while (part.hasRemaining()) {
          int n = ch.read(part, inFile + part.position());
          if (n < 0) {
            return false; // the file is shorter than it was restored
          }
        }
        buffer.position(buffer.position() + want);
        pos += want;
        i++;
      }
      return true;
    }

    /** The index of the file holding stream offset {@code at}, or of the first after it. */
    private int fileAt(long at) {
      int lo = 0;
      int hi = files.size();
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (files.get(mid).dataEnd() <= at) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    private FileChannel channel(int i) throws IOException {
      if (open != i) {
        close();
        open = i;
        Path link = links.get(i);
        channel = link == null ? null : FileChannel.open(link, StandardOpenOption.READ);
      }
      return channel;
    }

    @Override
    public void close() throws IOException {
      if (channel != null) {
        channel.close();
        channel = null;
      }
      open = -1;
    }
  }
}
