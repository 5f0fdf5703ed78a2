package io.shoal.chunkstore;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The byte layout of pack files (see {@code docs/formats.md}).
 *
 * <pre>
 * pack header, 16 bytes          record, 32-byte header then the payload
 * +------+---------+----------+  +------+-----+-----+-------+--------+--------+-------+---------+
 * | SHPK | version | reserved |  | SHCK | ver | alg | flags | length | digest | crc32c| payload |
 * |  4   |    2    |    2     |  |  4   |  1  |  1  |   2   |   4    |   16   |   4   | length  |
 * +------+---------+----------+  +------+-----+-----+-------+--------+--------+-------+---------+
 * | pack number (8)           |   crc32c covers the 28 header bytes before it
 * </pre>
 */
final class PackRecord {
  static final int PACK_MAGIC = 0x5348_504B; // "SHPK"
  static final int PACK_VERSION = 1;
  static final int PACK_HEADER_BYTES = 16;

  static final int RECORD_MAGIC = 0x5348_434B; // "SHCK"
  static final int RECORD_VERSION = 1;
  static final int HEADER_BYTES = 32;

  /** Largest payload a record may carry; larger lengths mark a damaged header. */
  static final int MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

  private PackRecord() {}

  static ByteBuffer packHeader(long packNumber) {
    ByteBuffer b = ByteBuffer.allocate(PACK_HEADER_BYTES);
    b.putInt(PACK_MAGIC).putShort((short) PACK_VERSION).putShort((short) 0).putLong(packNumber);
    return b.flip();
  }

  /** Checks a pack header and returns the pack number it carries. */
  static long readPackHeader(ByteBuffer header, String where) throws FormatException {
    FormatReader r = new FormatReader(header, "pack " + where);
    r.expectMagic(PACK_MAGIC);
    r.version(2, PACK_VERSION, PACK_VERSION);
    r.u16("reserved");
    return r.u64("pack number", Long.MAX_VALUE);
  }

  /** Writes the 32-byte header of a record for {@code id} with a payload of {@code length}. */
  static void writeHeader(ByteBuffer into, ChunkId id, int length) {
    int start = into.position();
    into.putInt(RECORD_MAGIC)
        .put((byte) RECORD_VERSION)
        .put(id.algorithm().code())
        .putShort((short) 0)
        .putInt(length);
    id.write(into);
    CRC32C crc = new CRC32C();
    crc.update(into.duplicate().position(start).limit(start + 28));
    into.putInt((int) crc.getValue());
  }

  /** A decoded record header. */
  record Header(ChunkId id, int length) {}

  /**
   * Decodes the header at the buffer's position (advancing it by 32 bytes).
   *
   * @throws FormatException when the header is torn or damaged
   */
  static Header readHeader(ByteBuffer b, String where) throws FormatException {
    int start = b.position();
    CRC32C crc = new CRC32C();
    crc.update(b.duplicate().limit(start + 28));
    FormatReader r = new FormatReader(b.duplicate().limit(start + HEADER_BYTES), where);
    r.expectMagic(RECORD_MAGIC);
    r.version(1, RECORD_VERSION, RECORD_VERSION);
    HashAlgorithm algorithm = HashAlgorithm.fromCode(r.u8("algorithm"));
    r.u16("flags");
    int length = (int) r.u32("payload length", MAX_PAYLOAD_BYTES);
    ChunkId id = r.chunkId(algorithm, "id");
    int stored = r.u32AsInt("header checksum");
    if (stored != (int) crc.getValue()) {
      throw r.error("header checksum mismatch");
    }
    b.position(start + HEADER_BYTES);
    return new Header(id, length);
  }
}
