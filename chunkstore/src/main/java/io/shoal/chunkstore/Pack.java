package io.shoal.chunkstore;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One append-only pack file of chunk records. Appends are serialized by the owning store; reads are
 * positional and may run from any thread, concurrently with appends and with {@link #force()}.
 */
final class Pack implements AutoCloseable {
  /**
   * Room beyond a write's own size below which a failed write counts as a full disk: a file system
   * needs a few blocks of metadata besides the data, so a write can fail with a little more free.
   */
  static final long DISK_FULL_SLACK_BYTES = 1L << 20;

  private final long number;
  private final Path path;
  private final FileChannel channel;
  private volatile long size;
  private volatile long durableSize;
  private final Object forceLock = new Object();
  private final StoreHealth health;

  private Pack(long number, Path path, FileChannel channel, long size, StoreHealth health) {
    this.number = number;
    this.path = path;
    this.channel = channel;
    this.health = health;
    this.size = size;
    this.durableSize = size;
  }

  /**
   * Creates an empty pack and makes its existence durable. The header is written under a temporary
   * name that the store deletes at open, so a crash can never leave a pack too short to have one.
   */
  static Pack create(Path dir, long number, StoreHealth health) throws IOException {
    Path path = dir.resolve(fileName(number));
    Path tmp = dir.resolve(fileName(number) + ".tmp");
    if (Files.exists(path)) {
      throw new java.nio.file.FileAlreadyExistsException(path.toString());
    }
    Files.deleteIfExists(tmp);
    FileChannel ch =
        FileChannel.open(
            tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      ByteBuffer header = PackRecord.packHeader(number);
      while (header.hasRemaining()) {
        ch.write(header);
      }
      health.force(ch, true, path);
      Files.move(tmp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.syncDirectory(dir);
      return new Pack(number, path, ch, PackRecord.PACK_HEADER_BYTES, health);
    } catch (IOException e) {
      ch.close();
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /** Opens an existing pack and checks its header. */
  static Pack open(Path path, long number, StoreHealth health) throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      long size = ch.size();
      ByteBuffer header = ByteBuffer.allocate(PackRecord.PACK_HEADER_BYTES);
      readFully(ch, header, 0, path);
      long inFile = PackRecord.readPackHeader(header.flip(), path.toString());
      if (inFile != number) {
        throw new FormatException("pack " + path + " says it is pack " + inFile);
      }
      return new Pack(number, path, ch, size, health);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  static String fileName(long number) {
    return String.format("%08d.pack", number);
  }

  static String hintName(long number) {
    return String.format("%08d.hint", number);
  }

  long number() {
    return number;
  }

  Path path() {
    return path;
  }

  Path hintPath() {
    return path.resolveSibling(hintName(number));
  }

  long size() {
    return size;
  }

  /**
   * Appends a record and returns the offset of its payload. On failure the pack is cut back to its
   * previous size, so a full disk leaves no torn record behind. Callers serialize appends.
   */
  long append(VerifiedChunk chunk) throws IOException {
    long start = size;
    ByteBuffer header = ByteBuffer.allocate(PackRecord.HEADER_BYTES);
    PackRecord.writeHeader(header, chunk.id(), chunk.length());
    ByteBuffer[] parts = {header.flip(), chunk.bytes()};
    try {
      channel.position(start);
      long want = PackRecord.HEADER_BYTES + (long) chunk.length();
      long written = 0;
      while (written < want) {
        written += channel.write(parts);
      }
    } catch (IOException e) {
      try {
        channel.truncate(start);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw outOfSpaceOr(
          e,
          PackRecord.HEADER_BYTES + (long) chunk.length(),
          usableBytes(),
          "disk full while writing chunk " + chunk.id() + " to " + path + "; nothing was lost");
    }
    size = start + PackRecord.HEADER_BYTES + chunk.length();
    return start + PackRecord.HEADER_BYTES;
  }

  /**
   * Appends records for all the chunks with one gathering write and returns their payload offsets.
   * On failure the pack is cut back to its previous size. Callers serialize appends.
   */
  long[] appendAll(java.util.List<VerifiedChunk> chunks) throws IOException {
    int n = chunks.size();
    long start = size;
    long[] offsets = new long[n];
    ByteBuffer headers = ByteBuffer.allocateDirect(n * PackRecord.HEADER_BYTES);
    ByteBuffer[] parts = new ByteBuffer[2 * n];
    long at = start;
    for (int i = 0; i < n; i++) {
      VerifiedChunk c = chunks.get(i);
      headers.limit((i + 1) * PackRecord.HEADER_BYTES).position(i * PackRecord.HEADER_BYTES);
      ByteBuffer header = headers.slice();
      PackRecord.writeHeader(header, c.id(), c.length());
      parts[2 * i] = header.flip();
      parts[2 * i + 1] = c.bytes();
      offsets[i] = at + PackRecord.HEADER_BYTES;
      at = offsets[i] + c.length();
    }
    long want = at - start;
    try {
      channel.position(start);
      long written = 0;
      while (written < want) {
        written += channel.write(parts);
      }
    } catch (IOException e) {
      try {
        channel.truncate(start);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw outOfSpaceOr(
          e,
          want,
          usableBytes(),
          "disk full while writing " + n + " chunks to " + path + "; nothing was lost");
    }
    size = at;
    return offsets;
  }

  /** Reads {@code dst.remaining()} payload bytes at {@code offset} into {@code dst}. */
  void read(long offset, ByteBuffer dst) throws IOException {
    readFully(channel, dst, offset, path);
  }

  /**
   * Makes every byte appended before this call durable. Concurrent callers share one fsync when it
   * already covers them (group commit). A failed fsync fails the store ({@link StoreHealth}): the
   * bytes after {@code durableSize} are never reported durable by a later call.
   */
  void force() throws IOException {
    long target = size;
    if (durableSize >= target) {
      return;
    }
    synchronized (forceLock) {
      if (durableSize >= target) {
        return;
      }
      long covered = size;
      health.force(channel, false, path);
      durableSize = Math.max(durableSize, covered);
    }
  }

  /** Cuts the file at {@code length} and makes that durable. */
  void truncate(long length) throws IOException {
    channel.truncate(length);
    health.force(channel, true, path);
    size = length;
    durableSize = length;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private static void readFully(FileChannel ch, ByteBuffer dst, long position, Path path)
      throws IOException {
    long pos = position;
    while (dst.hasRemaining()) {
      int n = ch.read(dst, pos);
      if (n < 0) {
        throw new EOFException("unexpected end of " + path + " at " + pos);
      }
      pos += n;
    }
  }

  /**
   * The error to report for a failed write of {@code wantBytes}: a {@link StoreFullException} when
   * the file system has no room for it, else {@code e} itself. Decided from the free space, never
   * from the message, which the C library words in the machine's language (and which Java reports
   * as a plain IOException for ENOSPC and EDQUOT alike). A quota is not visible as free space, so a
   * full quota reports the system's own message.
   *
   * @param usableBytes free space for this user after the torn write was cut off, or -1 if unknown
   */
  static IOException outOfSpaceOr(IOException e, long wantBytes, long usableBytes, String message) {
    if (usableBytes >= 0 && usableBytes < wantBytes + DISK_FULL_SLACK_BYTES) {
      return new StoreFullException(message, e);
    }
    return e;
  }

  /** Free space for this user on the pack's file system, or -1 when it cannot be read. */
  private long usableBytes() {
    try {
      return Files.getFileStore(path).getUsableSpace();
    } catch (IOException | SecurityException e) {
      return -1;
    }
  }
}
