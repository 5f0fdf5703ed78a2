package io.shoal.chunkstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The list of visible records in a sealed pack, so that opening a store reads a few bytes per chunk
 * instead of the packs themselves. A pack's hint is written only after the pack is durable, and
 * rewritten (atomically) when garbage collection drops records from it.
 *
 * <pre>
 * header, 24 bytes                                     entry, 29 bytes
 * +------+---------+----------+-------------+-------+  +-----+--------+---------------+--------+
 * | SHHT | version | reserved | pack number | count |  | alg | digest | payload offset| length |
 * |  4   |    2    |    2     |      8      |   4   |  |  1  |   16   |       8       |   4    |
 * +------+---------+----------+-------------+-------+  +-----+--------+---------------+--------+
 * then 4 reserved bytes after count, the entries, and a CRC32C of everything before it.
 * </pre>
 */
final class HintFile {
  static final int MAGIC = 0x5348_4854; // "SHHT"
  static final int VERSION = 1;
  static final int HEADER_BYTES = 24;
  static final int ENTRY_BYTES = 29;

  /** One visible record of a pack. */
  record Entry(ChunkId id, long offset, int length) {}

  private HintFile() {}

  static void write(Path path, long packNumber, List<Entry> entries) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + entries.size() * ENTRY_BYTES + 4);
    b.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0).putLong(packNumber);
    b.putInt(entries.size()).putInt(0);
    for (Entry e : entries) {
      b.put(e.id().algorithm().code());
      e.id().write(b);
      b.putLong(e.offset()).putInt(e.length());
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    AtomicFiles.write(path, b.array());
  }

  /**
   * Reads a hint; empty when the file is missing. A damaged hint is reported as a {@link
   * FormatException} and the caller rebuilds it from the pack.
   */
  static Optional<List<Entry>> read(Path path, long packNumber, long packSize) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    FormatReader r = new FormatReader(bytes, "hint " + path);
    r.expectMagic(MAGIC);
    r.version(2, VERSION, VERSION);
    r.u16("reserved");
    long number = r.u64("pack number", Long.MAX_VALUE);
    if (number != packNumber) {
      throw r.error("belongs to pack " + number + ", not " + packNumber);
    }
    long count = r.u32("entry count", (bytes.length - HEADER_BYTES) / ENTRY_BYTES);
    r.u32AsInt("reserved");
    if (bytes.length != HEADER_BYTES + count * ENTRY_BYTES + 4) {
      throw r.error("length " + bytes.length + " does not match " + count + " entries");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
      throw r.error("checksum mismatch");
    }
    List<Entry> entries = new ArrayList<>((int) count);
    for (long i = 0; i < count; i++) {
      HashAlgorithm algorithm = HashAlgorithm.fromCode(r.u8("algorithm"));
      ChunkId id = r.chunkId(algorithm, "id");
      long offset = r.u64("offset", packSize);
      int length = (int) r.u32("length", PackRecord.MAX_PAYLOAD_BYTES);
      if (offset + length > packSize) {
        throw r.error("entry " + id + " ends at " + (offset + length) + ", past the pack's end");
      }
      entries.add(new Entry(id, offset, length));
    }
    return Optional.of(entries);
  }
}
