package io.shoal.chunkstore.snapshot;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes the block-aligned middle of a large write with {@code O_DIRECT}, and its unaligned ends
 * through the page cache.
 *
 * <p>A materialization writes each byte once and does not read it back. Through the page cache,
 * each byte is first copied into a page the kernel must find for it. On a VM whose host backs guest
 * memory lazily, that copy costs more than the disk: here, 1 GiB written to fresh pages takes 2 to
 * 2.8 s, against 0.6 s with {@code O_DIRECT} and its fsync (bench/README.md). Written directly, the
 * device takes the bytes from a reused aligned buffer, a restore does not push the service's
 * working set out of the page cache, and the final fsync has only the ends left.
 *
 * <p>The unit is the larger of the file system's block and the memory page. Every unit of a file is
 * written either whole and directly, or in parts through the page cache, never both, so the two
 * paths never share a block or a page. Where the file system refuses {@code O_DIRECT}, or a file's
 * mode does not let its owner write it (a second descriptor could not be opened), everything goes
 * through the page cache; so does everything after a first direct write the file system refuses.
 *
 * <p>Thread-safe.
 */
final class DirectWriter {
  /** The least aligned middle worth a direct write; smaller writes use the page cache. */
  static final int MIN_DIRECT_BYTES = 128 << 10;

  private static final int MAX_BLOCK = 64 << 10;

  /** The memory page size, or {@link #MAX_BLOCK} when it cannot be learnt. */
  private static final long PAGE_BYTES = pageSize();

  private static final int BUFFER_BYTES = 1 << 20;
  private static final int POOLED_BUFFERS = 8;

  /** Aligned buffers kept between writes; beyond these, a write allocates its own. */
  private static final ArrayBlockingQueue<ByteBuffer> POOL =
      new ArrayBlockingQueue<>(POOLED_BUFFERS);

  private volatile int block;
  private volatile boolean refused;
  private final LongAdder directBytes = new LongAdder();

  /** Whether a write of {@code length} bytes at {@code at} has a middle worth writing directly. */
  boolean worthIt(long at, long length) {
    if (refused) {
      return false;
    }
    long b = block == 0 ? MAX_BLOCK : block;
    return alignDown(at + length, b) - alignUp(at, b) >= MIN_DIRECT_BYTES;
  }

  /**
   * Opens {@code file}, created already, for direct writes; null when its file system refuses them,
   * after which {@link #worthIt} is false for every write.
   */
  FileChannel open(Path file) {
    if (refused) {
      return null;
    }
    try {
      if (block == 0) {
        // Aligned to pages as well as blocks: a page holding both a direct block and a part
        // written through the cache could be written back over the direct one with what the
        // cache read before it.
        long b = Math.max(Files.getFileStore(file).getBlockSize(), PAGE_BYTES);
        if (b > MAX_BLOCK || Long.bitCount(b) != 1) {
          refused = true;
          return null;
        }
        block = (int) b;
      }
      return FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
    } catch (IOException | UnsupportedOperationException e) {
      refused = true; // the page cache takes everything then
      return null;
    }
  }

  /**
   * Writes {@code slice}, the file's bytes from {@code at}: its aligned middle through {@code
   * direct}, its ends through {@code buffered}.
   */
  void write(FileChannel buffered, FileChannel direct, ByteBuffer slice, long at)
      throws IOException {
    long end = at + slice.remaining();
    long from = alignUp(at, block);
    long to = alignDown(end, block);
    int start = slice.position();
    writeBuffered(buffered, part(slice, start, from - at), at);
    long pos = from;
    ByteBuffer aligned = take();
    try {
      while (pos < to) {
        int n = (int) Math.min(BUFFER_BYTES, to - pos);
        aligned.clear();
        aligned.put(part(slice, start + (int) (pos - at), n)).flip();
        long written = directly(direct, aligned, pos);
        if (written < 0) {
          break; // refused: the rest goes through the page cache
        }
        pos += written;
      }
    } finally {
      give(aligned);
    }
    writeBuffered(buffered, part(slice, start + (int) (pos - at), end - pos), pos);
  }

  /**
   * Writes {@code aligned} at {@code pos} directly; -1 when the file system refused the first
   * direct write of this materialization (some accept {@code O_DIRECT} at open and refuse it at the
   * write, with a stricter alignment), after which no write goes direct. A failure after one
   * succeeded is the device's, and is thrown.
   */
  private long directly(FileChannel direct, ByteBuffer aligned, long pos) throws IOException {
    int n = aligned.remaining();
    try {
      for (long at = pos; aligned.hasRemaining(); ) {
        at += direct.write(aligned, at);
      }
    } catch (IOException e) {
      if (directBytes.sum() > 0) {
        throw e;
      }
      refused = true; // were it the device's, the page cache meets it again and throws
      return -1;
    }
    directBytes.add(n);
    return n;
  }

  /** Bytes written directly so far. */
  long directBytes() {
    return directBytes.sum();
  }

  static void writeBuffered(FileChannel ch, ByteBuffer bytes, long at) throws IOException {
    long pos = at;
    while (bytes.hasRemaining()) {
      pos += ch.write(bytes, pos);
    }
  }

  private static ByteBuffer part(ByteBuffer slice, int from, long length) {
    return slice.duplicate().limit(from + (int) length).position(from);
  }

  private static ByteBuffer take() {
    ByteBuffer b = POOL.poll();
    return b != null
        ? b
        : ByteBuffer.allocateDirect(BUFFER_BYTES + MAX_BLOCK).alignedSlice(MAX_BLOCK);
  }

  private static void give(ByteBuffer b) {
    POOL.offer(b); // a full pool drops it, for the collector
  }

  private static long pageSize() {
    try {
      Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
      f.setAccessible(true);
      Object unsafe = f.get(null);
      return ((Number) unsafe.getClass().getMethod("pageSize").invoke(unsafe)).longValue();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return MAX_BLOCK; // the largest page size in use; direct writes are then only coarser
    }
  }

  private static long alignUp(long v, long b) {
    return (v + b - 1) & -b;
  }

  private static long alignDown(long v, long b) {
    return v & -b;
  }
}
