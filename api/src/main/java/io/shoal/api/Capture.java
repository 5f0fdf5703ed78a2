package io.shoal.api;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Hands shoal a consistent point of a service's state to publish: a RocksDB checkpoint, a
 * filesystem snapshot, a copy made under a lock. Publishing a directory that changes while it is
 * read would publish a state that never existed; a capture avoids that.
 */
@FunctionalInterface
public interface Capture {
  /**
   * Writes the state into {@code target}, which does not exist yet (its parent does), as a file or
   * a directory, and returns the change-log offset the state covers.
   *
   * <p>Called on the publishing thread; shoal publishes {@code target} when this returns and then
   * deletes it. Hard links into the service's own files are fine (RocksDB checkpoints make them):
   * shoal only reads what is there.
   *
   * @param target where to write the state; on the same filesystem as shoal's scratch directory
   * @return the offset of the first record of the log of the same name that the state does
   *     <em>not</em> hold (a restore replays from there), or {@link Shoal#NO_LOG_OFFSET}
   * @throws IOException if the state could not be captured; nothing is published then
   */
  long capture(Path target) throws IOException;
}
