package io.shoal.chunkstore;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * The 128-bit name of a chunk: a digest of its bytes, tagged with the algorithm that computed it.
 * Printed as 32 lowercase hex digits; {@link #toTaggedString()} adds the algorithm.
 *
 * <p>Ids order by algorithm code, then as unsigned 128-bit numbers, which gives every deterministic
 * tie-break in shoal one meaning.
 */
public final class ChunkId implements Comparable<ChunkId> {
  /** Bytes of the digest part of an id, as stored in formats. */
  public static final int DIGEST_BYTES = 16;

  private static final HexFormat HEX = HexFormat.of();

  private final HashAlgorithm algorithm;
  private final long high;
  private final long low;

  public ChunkId(HashAlgorithm algorithm, long high, long low) {
    this.algorithm = java.util.Objects.requireNonNull(algorithm, "algorithm");
    this.high = high;
    this.low = low;
  }

  static ChunkId fromDigest(HashAlgorithm algorithm, byte[] digest) {
    ByteBuffer b = ByteBuffer.wrap(digest);
    return new ChunkId(algorithm, b.getLong(), b.getLong());
  }

  /** Reads the 16 digest bytes at the buffer's position (advancing it). */
  public static ChunkId read(HashAlgorithm algorithm, ByteBuffer buffer) {
    return new ChunkId(algorithm, buffer.getLong(), buffer.getLong());
  }

  /** Writes the 16 digest bytes at the buffer's position (advancing it). */
  public void write(ByteBuffer buffer) {
    buffer.putLong(high).putLong(low);
  }

  /**
   * Parses 32 hex digits (taken as {@code xxh128}) or {@code algorithm:hex}.
   *
   * @throws IllegalArgumentException naming the text when it is not an id
   */
  public static ChunkId parse(String text) {
    HashAlgorithm algorithm = HashAlgorithm.XXH128;
    String hex = text;
    int colon = text.indexOf(':');
    if (colon >= 0) {
      algorithm = HashAlgorithm.parse(text.substring(0, colon));
      hex = text.substring(colon + 1);
    }
    if (hex.length() != 2 * DIGEST_BYTES) {
      throw new IllegalArgumentException("not a chunk id (want 32 hex digits): '" + text + "'");
    }
    try {
      return fromDigest(algorithm, HEX.parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a chunk id (want 32 hex digits): '" + text + "'", e);
    }
  }

  public HashAlgorithm algorithm() {
    return algorithm;
  }

  /** The high 64 bits of the digest. */
  public long high() {
    return high;
  }

  /** The low 64 bits of the digest. */
  public long low() {
    return low;
  }

  /** 32 lowercase hex digits. */
  public String toHex() {
    return HEX.toHexDigits(high) + HEX.toHexDigits(low);
  }

  /** {@code algorithm:hex}, which {@link #parse} reads back whatever the algorithm. */
  public String toTaggedString() {
    return algorithm.label() + ':' + toHex();
  }

  /** The first 12 hex digits, for logs and tables. */
  public String toShortHex() {
    return toHex().substring(0, 12);
  }

  @Override
  public int compareTo(ChunkId o) {
    int c = Integer.compare(algorithm.code(), o.algorithm.code());
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(high, o.high);
    return c != 0 ? c : Long.compareUnsigned(low, o.low);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkId other
        && high == other.high
        && low == other.low
        && algorithm == other.algorithm;
  }

  @Override
  public int hashCode() {
    // The digest is uniformly distributed already; fold it.
    return (int) (low ^ (low >>> 32));
  }

  @Override
  public String toString() {
    return toHex();
  }
}
