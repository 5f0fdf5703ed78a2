package io.shoal.chunkstore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A bounded reader of big-endian persistent formats. Every read checks that the bytes are there and
 * every length is checked against a caller's bound, so malformed input ends in one {@link
 * FormatException} that names what was being read, never in an exception from deep inside.
 *
 * <p>Not thread-safe.
 */
public final class FormatReader {
  private final ByteBuffer buffer;
  private final String what;

  /**
   * @param bytes the bytes, read from their position to their limit (the buffer is not changed)
   * @param what a name for messages, such as {@code "index node 3f2a..."}
   */
  public FormatReader(ByteBuffer bytes, String what) {
    this.buffer = bytes.slice().order(ByteOrder.BIG_ENDIAN);
    this.what = what;
  }

  public FormatReader(byte[] bytes, String what) {
    this(ByteBuffer.wrap(bytes), what);
  }

  public int remaining() {
    return buffer.remaining();
  }

  public int position() {
    return buffer.position();
  }

  /** Checks a four-byte magic number. */
  public void expectMagic(int magic) throws FormatException {
    int actual = u32AsInt("magic");
    if (actual != magic) {
      throw error(String.format("bad magic 0x%08x (want 0x%08x)", actual, magic));
    }
  }

  /** Reads a version and refuses any outside {@code [min, max]}. */
  public int version(int width, int min, int max) throws FormatException {
    int v = width == 1 ? u8("version") : u16("version");
    if (v < min || v > max) {
      throw error(
          "format version "
              + v
              + " is not supported by this shoal (it reads "
              + (min == max ? "version " + min : "versions " + min + " to " + max)
              + ")");
    }
    return v;
  }

  public int u8(String field) throws FormatException {
    need(1, field);
    return buffer.get() & 0xff;
  }

  public int u16(String field) throws FormatException {
    need(2, field);
    return buffer.getShort() & 0xffff;
  }

  /** An unsigned 32-bit field as an int, for magic numbers and checksums. */
  public int u32AsInt(String field) throws FormatException {
    need(4, field);
    return buffer.getInt();
  }

  /** An unsigned 32-bit field, refused when above {@code max}. */
  public long u32(String field, long max) throws FormatException {
    need(4, field);
    long v = buffer.getInt() & 0xffff_ffffL;
    return bounded(v, max, field);
  }

  /** A 64-bit field, refused when negative or above {@code max}. */
  public long u64(String field, long max) throws FormatException {
    need(8, field);
    return bounded(buffer.getLong(), max, field);
  }

  /** A signed 64-bit field. */
  public long i64(String field) throws FormatException {
    need(8, field);
    return buffer.getLong();
  }

  /** An unsigned LEB128 varint of at most 9 bytes, refused when above {@code max}. */
  public long varint(String field, long max) throws FormatException {
    long v = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      need(1, field);
      int b = buffer.get() & 0xff;
      v |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return bounded(v, max, field);
      }
    }
    throw error(field + ": varint longer than 9 bytes");
  }

  public ChunkId chunkId(HashAlgorithm algorithm, String field) throws FormatException {
    need(ChunkId.DIGEST_BYTES, field);
    return ChunkId.read(algorithm, buffer);
  }

  /** A UTF-8 string of {@code length} bytes, refusing malformed UTF-8. */
  public String utf8(int length, String field) throws FormatException {
    need(length, field);
    ByteBuffer slice = buffer.slice().limit(length);
    buffer.position(buffer.position() + length);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(slice)
          .toString();
    } catch (CharacterCodingException e) {
      throw error(field + ": not valid UTF-8");
    }
  }

  /** A string with a u16 byte length prefix, refused when longer than {@code maxBytes}. */
  public String utf8u16(String field, int maxBytes) throws FormatException {
    int length = u16(field + " length");
    if (length > maxBytes) {
      throw error(field + " is " + length + " bytes, longer than the limit of " + maxBytes);
    }
    return utf8(length, field);
  }

  /** {@code length} raw bytes. */
  public byte[] bytes(int length, String field) throws FormatException {
    need(length, field);
    byte[] out = new byte[length];
    buffer.get(out);
    return out;
  }

  /** Raw bytes with a u16 length prefix, refused when longer than {@code maxBytes}. */
  public byte[] bytesU16(String field, int maxBytes) throws FormatException {
    int length = u16(field + " length");
    if (length > maxBytes) {
      throw error(field + " is " + length + " bytes, longer than the limit of " + maxBytes);
    }
    return bytes(length, field);
  }

  /** Refuses trailing bytes. */
  public void expectEnd() throws FormatException {
    if (buffer.hasRemaining()) {
      throw error(buffer.remaining() + " unexpected trailing bytes");
    }
  }

  /** A {@link FormatException} that names what is being read and where. */
  public FormatException error(String message) {
    return new FormatException(what + " at byte " + buffer.position() + ": " + message);
  }

  private void need(int n, String field) throws FormatException {
    if (n < 0 || buffer.remaining() < n) {
      throw error("truncated while reading " + field);
    }
  }

  private long bounded(long v, long max, String field) throws FormatException {
    if (v < 0 || v > max) {
      throw error(field + " = " + Long.toUnsignedString(v) + " is out of range (max " + max + ")");
    }
    return v;
  }
}
