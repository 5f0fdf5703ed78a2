package io.shoal.chunkstore;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The digests a chunk id may be computed with. Each has a one-byte code that is part of the
 * persistent formats (see {@code docs/formats.md}); codes are append-only.
 *
 * <ul>
 *   <li>{@code xxh128}: XXH64 of the bytes under {@link #XXH128_SEED_HIGH}, followed by XXH64 under
 *       {@link #XXH128_SEED_LOW}. Fast and collision-resistant against accidents, not against an
 *       adversary: for swarms whose members all hold the cluster key.
 *   <li>{@code sha256}: the first 128 bits of SHA-256, for swarms whose members are not all
 *       trusted.
 * </ul>
 */
public enum HashAlgorithm {
  XXH128(1, "xxh128"),
  SHA256(2, "sha256");

  /** Seed of the high 64 bits of an xxh128 id. Part of the format: never change. */
  public static final long XXH128_SEED_HIGH = 0x5348_4F41_4C00_0001L;

  /** Seed of the low 64 bits of an xxh128 id. Part of the format: never change. */
  public static final long XXH128_SEED_LOW = 0x2545_F491_4F6C_DD1DL;

  private static final XXHash64 XXH64 = XXHashFactory.fastestInstance().hash64();

  private final byte code;
  private final String label;

  HashAlgorithm(int code, String label) {
    this.code = (byte) code;
    this.label = label;
  }

  /** The one-byte code stored in formats. */
  public byte code() {
    return code;
  }

  /** The lowercase name used on the command line and in JSON. */
  public String label() {
    return label;
  }

  /** Returns the algorithm with this code, or throws a {@link FormatException} naming it. */
  public static HashAlgorithm fromCode(int code) throws FormatException {
    for (HashAlgorithm a : values()) {
      if (a.code == code) {
        return a;
      }
    }
    throw new FormatException(
        "unknown hash algorithm code " + code + " (known: 1=xxh128, 2=sha256)");
  }

  /** Parses {@code xxh128} or {@code sha256}, case-insensitively. */
  public static HashAlgorithm parse(String label) {
    for (HashAlgorithm a : values()) {
      if (a.label.equals(label.toLowerCase(Locale.ROOT))) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown hash algorithm '" + label + "' (known: xxh128, sha256)");
  }

  /** Digests {@code length} bytes of {@code bytes} from {@code offset}. */
  public ChunkId hash(byte[] bytes, int offset, int length) {
    if (this == XXH128) {
      return new ChunkId(
          this,
          XXH64.hash(bytes, offset, length, XXH128_SEED_HIGH),
          XXH64.hash(bytes, offset, length, XXH128_SEED_LOW));
    }
    MessageDigest md = sha256();
    md.update(bytes, offset, length);
    return ChunkId.fromDigest(this, md.digest());
  }

  /** Digests all of {@code bytes}. */
  public ChunkId hash(byte[] bytes) {
    return hash(bytes, 0, bytes.length);
  }

  /**
   * Digests the bytes between the buffer's position and limit. The buffer's position, limit and
   * contents are left unchanged.
   */
  public ChunkId hash(ByteBuffer buffer) {
    int offset = buffer.position();
    int length = buffer.remaining();
    if (this == XXH128 && !buffer.isDirect() && !buffer.hasArray()) {
      // A read-only heap buffer hides its array, and xxHash would take its pure-Java path
      // (several times slower than a copy plus the native one).
      byte[] copy = new byte[length];
      buffer.duplicate().get(copy);
      return hash(copy, 0, length);
    }
    if (this == XXH128) {
      return new ChunkId(
          this,
          XXH64.hash(buffer, offset, length, XXH128_SEED_HIGH),
          XXH64.hash(buffer, offset, length, XXH128_SEED_LOW));
    }
    MessageDigest md = sha256();
    md.update(buffer.duplicate());
    return ChunkId.fromDigest(this, md.digest());
  }

  @Override
  public String toString() {
    return label;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
