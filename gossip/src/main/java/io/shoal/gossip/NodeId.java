package io.shoal.gossip;

import java.util.HexFormat;

/**
 * A node's stable 128-bit identity, independent of its address; kept in its data directory. Orders
 * as an unsigned 128-bit number, which every deterministic tie-break uses.
 *
 * @param high the high 64 bits
 * @param low the low 64 bits
 */
public record NodeId(long high, long low) implements Comparable<NodeId> {
  private static final HexFormat HEX = HexFormat.of();
  private static final java.util.regex.Pattern HEX_32 =
      java.util.regex.Pattern.compile("[0-9a-fA-F]{32}");

  /**
   * Parses 32 hex digits.
   *
   * @throws IllegalArgumentException naming the text when it is not a node id
   */
  public static NodeId parse(String hex) {
    if (hex == null || !HEX_32.matcher(hex).matches()) {
      throw new IllegalArgumentException("not a node id (want 32 hex digits): '" + hex + "'");
    }
    return new NodeId(
        Long.parseUnsignedLong(hex.substring(0, 16), 16),
        Long.parseUnsignedLong(hex.substring(16), 16));
  }

  public String toHex() {
    return HEX.toHexDigits(high) + HEX.toHexDigits(low);
  }

  /** The first 8 hex digits, for logs and tables. */
  public String shortHex() {
    return HEX.toHexDigits(high).substring(0, 8);
  }

  @Override
  public int compareTo(NodeId o) {
    int c = Long.compareUnsigned(high, o.high);
    return c != 0 ? c : Long.compareUnsigned(low, o.low);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
