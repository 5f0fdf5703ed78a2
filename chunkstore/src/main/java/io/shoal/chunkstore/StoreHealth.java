package io.shoal.chunkstore;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the store may still acknowledge writes. Every fsync of a pack goes through {@link
 * #force}; the first one that fails puts the store in a failed state that only reopening clears.
 *
 * <p>Why not retry: after a failed fsync Linux marks the dirty pages clean (or drops them), so the
 * next fsync succeeds although the bytes never reached the disk ("fsyncgate", PostgreSQL 2018).
 * Acknowledging anything after that would report lost chunks as durable. Reopening scans the packs
 * that were not sealed and keeps only records that verify against their ids.
 *
 * <p>Thread-safe.
 */
final class StoreHealth {
  private static final Logger log = LoggerFactory.getLogger(StoreHealth.class);

  /** The fsync itself: {@link FileChannel#force} in production, a fault in tests. */
  @FunctionalInterface
  interface Fsync {
    Fsync SYSTEM = FileChannel::force;

    void force(FileChannel channel, boolean metaData) throws IOException;
  }

  private final Path dir;
  private final Fsync fsync;
  private volatile StoreFailedException failure;

  StoreHealth(Path dir, Fsync fsync) {
    this.dir = dir;
    this.fsync = fsync;
  }

  /**
   * Forces {@code channel} (the file {@code path}) to disk; a failure fails the store.
   *
   * @throws StoreFailedException when this or an earlier fsync failed
   */
  void force(FileChannel channel, boolean metaData, Path path) throws IOException {
    throwIfFailed();
    try {
      fsync.force(channel, metaData);
    } catch (ClosedChannelException e) {
      // Not a disk error: the pack was closed (sealed and forced, or collected) meanwhile.
      throw e;
    } catch (IOException e) {
      throw fail(path, e);
    }
  }

  /** Throws the failure that stopped acknowledgements, if any. */
  void throwIfFailed() throws StoreFailedException {
    StoreFailedException f = failure;
    if (f != null) {
      throw f;
    }
  }

  boolean isFailed() {
    return failure != null;
  }

  Optional<String> failure() {
    StoreFailedException f = failure;
    return f == null ? Optional.empty() : Optional.of(f.getMessage());
  }

  private synchronized StoreFailedException fail(Path path, IOException cause) {
    if (failure == null) {
      failure =
          new StoreFailedException(
              "store "
                  + dir
                  + " refuses writes: fsync of "
                  + path.getFileName()
                  + " failed ("
                  + IoErrors.describe(cause)
                  + "); chunks written since its last good fsync may be lost; reopen the store"
                  + " (restart the node) to re-verify it",
              cause);
      log.error("{}", failure.getMessage());
    }
    return failure;
  }
}
