package io.shoal.node;

import io.shoal.chunkstore.log.ChangeLog;
import org.slf4j.event.Level;

/**
 * The level of the lines a node logs about a snapshot: a change log's snapshots ({@code _log.NAME})
 * are published, announced and fetched at every seal, which is routine, so their lines are DEBUG;
 * every other snapshot's are INFO, one line per event an operator wants to see.
 */
final class LogLines {
  private LogLines() {}

  static Level level(String snapshotName) {
    return snapshotName.startsWith(ChangeLog.SNAPSHOT_PREFIX) ? Level.DEBUG : Level.INFO;
  }
}
