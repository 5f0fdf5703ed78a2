package io.shoal.chunkstore;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exclusive ownership of a store directory by one process: an OS file lock on {@code lock},
 * released by the OS when the process dies, so a crash never leaves a stale lock.
 *
 * <p>A caller may wait a bounded time for a held lock (a node starting while a CLI command reads
 * the store): the lock is tried again every {@link #POLL_MILLIS} on the same channel, parking in
 * between, because an OS file lock has no timed wait and closing a channel would drop this
 * process's other locks on the file.
 */
final class StoreLock implements AutoCloseable {
  /** Pause between two tries of a held lock. */
  static final long POLL_MILLIS = 10;

  private static final Logger log = LoggerFactory.getLogger(StoreLock.class);
  private static final int PID_FIELD_BYTES = 32;

  private final FileChannel channel;
  private final FileLock lock;

  private StoreLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock at once, or fails with {@link StoreLockedException}. */
  static StoreLock acquire(Path dir) throws IOException {
    return acquire(dir, 0);
  }

  /**
   * Takes the lock, waiting up to {@code waitMillis} while another process (or another channel of
   * this one) holds it; logs one line when it had to wait.
   *
   * @throws StoreLockedException when it is still held after the wait
   */
  static StoreLock acquire(Path dir, long waitMillis) throws IOException {
    FileChannel ch =
        FileChannel.open(
            dir.resolve("lock"),
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    try {
      long startNanos = System.nanoTime();
      long deadlineNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(waitMillis);
      FileLock lock = tryLock(ch);
      StoreLockedException first = lock == null ? refusal(dir, ch) : null;
      while (lock == null) {
        long leftNanos = deadlineNanos - System.nanoTime();
        if (leftNanos <= 0) {
          throw refusal(dir, ch);
        }
        LockSupport.parkNanos(Math.min(leftNanos, TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS)));
        if (Thread.interrupted()) {
          throw new InterruptedIOException("interrupted while waiting for the lock of " + dir);
        }
        lock = tryLock(ch);
      }
      if (first != null) {
        log.info(
            "store {} was locked by {}; waited {} ms for it",
            dir,
            first.holderPid().isPresent()
                ? "pid " + first.holderPid().getAsLong()
                : "another process",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
      }
      ch.truncate(0);
      ch.write(
          ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)),
          0);
      return new StoreLock(ch, lock);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** The lock, or null while someone else holds it. */
  private static FileLock tryLock(FileChannel ch) throws IOException {
    try {
      return ch.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  /** The error for a held lock, naming the holder. */
  private static StoreLockedException refusal(Path dir, FileChannel ch) {
    long pid = readHolder(ch);
    if (pid == ProcessHandle.current().pid()) {
      return new StoreLockedException("store " + dir + " is already open in this process", pid);
    }
    return new StoreLockedException(
        "store "
            + dir
            + " is in use by another shoal process"
            + (pid < 0 ? "" : " (pid " + pid + ")"),
        pid);
  }

  /** The pid in the lock file, or -1 when it holds none. */
  private static long readHolder(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(PID_FIELD_BYTES);
      ch.read(b, 0);
      return Long.parseLong(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
