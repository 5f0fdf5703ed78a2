package io.shoal.gossip;

import java.util.regex.Pattern;

/**
 * A member's zone: a name its operator gives a group of nodes that share cheap links (a rack, a
 * data centre, a region), announced in the member's signed record. Fetchers fill from their own
 * zone first. The empty name means no zone, the default.
 */
public final class Zone {
  /** Longest zone name, in characters (each one byte: the alphabet is ASCII). */
  public static final int MAX_CHARS = 32;

  /** No zone. */
  public static final String NONE = "";

  private static final Pattern NAME = Pattern.compile("[a-z0-9._-]{1," + MAX_CHARS + "}");

  private Zone() {}

  /** Whether {@code name} is a zone name, or {@link #NONE}. */
  public static boolean isValid(String name) {
    return name != null && (name.isEmpty() || NAME.matcher(name).matches());
  }

  /**
   * {@code name} itself when it is a zone name or {@link #NONE}.
   *
   * @throws IllegalArgumentException naming the value and the rule
   */
  public static String check(String name) {
    if (!isValid(name)) {
      throw new IllegalArgumentException(
          "bad zone '"
              + name
              + "': want 1 to "
              + MAX_CHARS
              + " characters of a-z, 0-9, '.', '_' and '-'");
    }
    return name;
  }
}
