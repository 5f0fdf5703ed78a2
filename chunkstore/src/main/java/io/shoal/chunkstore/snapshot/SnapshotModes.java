package io.shoal.chunkstore.snapshot;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Conversions between POSIX mode bits and Java's permission sets. */
final class SnapshotModes {
  private static final PosixFilePermission[] BY_BIT = {
    PosixFilePermission.OTHERS_EXECUTE,
    PosixFilePermission.OTHERS_WRITE,
    PosixFilePermission.OTHERS_READ,
    PosixFilePermission.GROUP_EXECUTE,
    PosixFilePermission.GROUP_WRITE,
    PosixFilePermission.GROUP_READ,
    PosixFilePermission.OWNER_EXECUTE,
    PosixFilePermission.OWNER_WRITE,
    PosixFilePermission.OWNER_READ,
  };

  private SnapshotModes() {}

  /** The nine permission bits of {@code mode} (setuid, setgid and sticky are not restored). */
  static Set<PosixFilePermission> toPermissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < BY_BIT.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(BY_BIT[bit]);
      }
    }
    return set;
  }

  static int fromPermissions(Set<PosixFilePermission> perms) {
    int bits = 0;
    for (int bit = 0; bit < BY_BIT.length; bit++) {
      if (perms.contains(BY_BIT[bit])) {
        bits |= 1 << bit;
      }
    }
    return bits;
  }
}
