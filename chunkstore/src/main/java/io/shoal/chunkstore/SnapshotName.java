package io.shoal.chunkstore;

import java.util.regex.Pattern;

/** Rules for snapshot names and versions, shared by the catalog, the CLI and the wire. */
public final class SnapshotName {
  /** Longest name accepted, in characters (all ASCII, so also in bytes). */
  public static final int MAX_NAME_CHARS = 128;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

  private SnapshotName() {}

  /**
   * Returns the name if it is valid: 1 to 128 characters of letters, digits, {@code . _ -}, not
   * starting with {@code .} or {@code -}.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public static String check(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "bad snapshot name '"
              + name
              + "': use 1 to 128 letters, digits, '.', '_' or '-', starting with a letter, digit"
              + " or '_'");
    }
    return name;
  }

  /**
   * Returns the version if it is valid (at least 1).
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public static long checkVersion(long version) {
    if (version < 1) {
      throw new IllegalArgumentException(
          "bad snapshot version " + version + ": versions start at 1");
    }
    return version;
  }
}
