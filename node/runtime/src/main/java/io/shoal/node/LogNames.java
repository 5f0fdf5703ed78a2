package io.shoal.node;

import io.shoal.chunkstore.SnapshotName;
import io.shoal.chunkstore.log.ChangeLog;

/** What may name a change log. */
final class LogNames {
  private LogNames() {}

  /**
   * Returns {@code name} if it can name a log: a snapshot name that stays one with {@link
   * ChangeLog#SNAPSHOT_PREFIX} before it (so at most 123 characters).
   *
   * @throws IllegalArgumentException naming the bad value
   */
  static String check(String name) {
    SnapshotName.check(name);
    if (name.length() + ChangeLog.SNAPSHOT_PREFIX.length() > SnapshotName.MAX_NAME_CHARS) {
      throw new IllegalArgumentException(
          "bad log name '"
              + name
              + "': at most "
              + (SnapshotName.MAX_NAME_CHARS - ChangeLog.SNAPSHOT_PREFIX.length())
              + " characters");
    }
    return name;
  }

  static boolean valid(String name) {
    try {
      check(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
