package io.shoal.cli;

import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.StoreLockedException;
import io.shoal.node.DataDirFiles.NodeInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How a command reaches the store of a data directory: through the node that owns it when one
 * answers, else by opening the store itself. Every command that can take either way asks here, so
 * the choice is made in one place.
 *
 * <p>A store that is locked while no node answers belongs to a node still starting (it takes the
 * lock a moment before its API comes up) or to another command. Either way the command waits, up to
 * {@link #OWNER_WAIT_MILLIS}, for whichever comes first: the node's API or the lock. Past that it
 * fails with one line naming the owner.
 *
 * <p>A command that opens the store itself holds it for as long as it reads or writes; a node
 * starting meanwhile waits for it ({@code NodeCommand.STORE_LOCK_WAIT_MILLIS}).
 */
final class StoreAccess implements AutoCloseable {
  /** How long a command waits for a starting node's API, or for another command's lock. */
  static final long OWNER_WAIT_MILLIS = 10_000;

  /** Pause between two looks for the node's API and the lock. */
  static final long POLL_MILLIS = 50;

  private final NodeClient node;
  private final ChunkStore store;

  private StoreAccess(NodeClient node, ChunkStore store) {
    this.node = node;
    this.store = store;
  }

  /**
   * The node that owns {@code dataDir} if it answers, else the store opened (created if need be).
   *
   * @throws CliException when neither is reachable within {@link #OWNER_WAIT_MILLIS}
   */
  static StoreAccess reach(Path dataDir) throws IOException {
    return reach(dataDir, true);
  }

  /**
   * As {@link #reach(Path)}, for a command that only reads: a directory that holds no store is
   * refused with one line, and nothing is created there (not the directory, not a lock file).
   */
  static StoreAccess reachToRead(Path dataDir) throws IOException {
    return reach(dataDir, false);
  }

  private static StoreAccess reach(Path dataDir, boolean create) throws IOException {
    long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(OWNER_WAIT_MILLIS);
    while (true) {
      Optional<NodeClient> found = NodeClient.find(dataDir);
      if (found.isPresent()) {
        return new StoreAccess(found.get(), null);
      }
      if (!create && !ChunkStore.exists(dataDir)) {
        throw new CliException(
            "no shoal store at "
                + dataDir
                + " (nothing was published or fetched there, and no node runs on it); pass --data"
                + " DIR or set SHOAL_DATA");
      }
      try {
        return new StoreAccess(null, ChunkStore.open(dataDir));
      } catch (StoreLockedException e) {
        if (System.nanoTime() - deadlineNanos >= 0) {
          throw refusal(dataDir, e);
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
      if (Thread.interrupted()) {
        throw new InterruptedIOException("interrupted while waiting for " + dataDir);
      }
    }
  }

  /** The node to go through; empty when the store is open here instead. */
  Optional<NodeClient> node() {
    return Optional.ofNullable(node);
  }

  /** The store opened here, when no node answers for it. */
  ChunkStore store() {
    if (store == null) {
      throw new IllegalStateException("the store is reached through its node");
    }
    return store;
  }

  /** The one line for an owner that let go of the store neither by its API nor by its lock. */
  private static CliException refusal(Path dataDir, StoreLockedException e) {
    long waitedSeconds = TimeUnit.MILLISECONDS.toSeconds(OWNER_WAIT_MILLIS);
    Optional<NodeInfo> info = NodeClient.info(dataDir);
    if (info.isPresent() && e.holderPid().equals(OptionalLong.of(info.get().pid()))) {
      return new CliException(
          "the node (pid "
              + info.get().pid()
              + ") that owns "
              + dataDir
              + " did not answer at "
              + info.get().http()
              + " within "
              + waitedSeconds
              + " s; check its log, or stop it to use the store offline");
    }
    return new CliException(
        e.getMessage() + " and no node answered for it within " + waitedSeconds + " s");
  }

  @Override
  public void close() throws IOException {
    if (store != null) {
      store.close();
    }
  }
}
