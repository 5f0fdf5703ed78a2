package io.shoal.chunkstore.log;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.FormatReader;
import io.shoal.chunkstore.FormatWriter;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.SnapshotName;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A sealed segment of a change log: the records {@code [firstOffset, endOffset)} of one log name,
 * immutable and named by the id of its encoding, so a copy fetched from any peer is checked by
 * hashing it, as a chunk is.
 *
 * <p>Encoding (version 1, big-endian): magic {@code SHLS}, u8 version, u16-prefixed UTF-8 log name,
 * u64 first offset, u32 record count, then each record as a varint length and its bytes; nothing
 * after. At most {@link #MAX_SEGMENT_BYTES} in all, so a segment travels in one chunk frame.
 * Offsets count records, from 0.
 */
public final class LogSegment {
  static final int MAGIC = 0x5348_4C53; // "SHLS"
  static final int FORMAT_VERSION = 1;

  /** Largest record, in bytes. */
  public static final int MAX_RECORD_BYTES = 1 << 20;

  /** Largest encoded segment, in bytes: the largest chunk a store and a frame take. */
  public static final int MAX_SEGMENT_BYTES = (4 << 20) - (64 << 10);

  /** Most records in one segment. */
  public static final int MAX_RECORDS = 1 << 16;

  private final String name;
  private final long firstOffset;
  private final List<byte[]> records;
  private final byte[] encoded;
  private final ChunkId id;

  private LogSegment(String name, long firstOffset, List<byte[]> records, byte[] encoded) {
    this.name = name;
    this.firstOffset = firstOffset;
    this.records = records;
    this.encoded = encoded;
    this.id = HashAlgorithm.XXH128.hash(encoded);
  }

  /**
   * Seals {@code records} of log {@code name}, the first at {@code firstOffset}.
   *
   * @throws IllegalArgumentException when a bound is passed or the name is not a valid name
   */
  public static LogSegment seal(String name, long firstOffset, List<byte[]> records) {
    SnapshotName.check(name);
    if (firstOffset < 0) {
      throw new IllegalArgumentException("first offset " + firstOffset + " is negative");
    }
    if (records.isEmpty() || records.size() > MAX_RECORDS) {
      throw new IllegalArgumentException(
          "a segment holds 1 to " + MAX_RECORDS + " records, not " + records.size());
    }
    FormatWriter w =
        new FormatWriter((int) Math.min(MAX_SEGMENT_BYTES, encodedSize(name, records)));
    w.u32(MAGIC).u8(FORMAT_VERSION).utf8u16(name).u64(firstOffset).u32(records.size());
    List<byte[]> copies = new ArrayList<>(records.size());
    for (byte[] r : records) {
      checkRecord(r);
      w.varint(r.length).bytes(r);
      copies.add(r.clone());
    }
    if (w.size() > MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException(
          "segment of " + w.size() + " bytes exceeds " + MAX_SEGMENT_BYTES + " bytes");
    }
    return new LogSegment(name, firstOffset, List.copyOf(copies), w.toByteArray());
  }

  /** The bytes {@code records} take encoded as a segment of {@code name}. */
  public static long encodedSize(String name, List<byte[]> records) {
    long size = headerSize(name);
    for (byte[] r : records) {
      size += recordCost(r.length);
    }
    return size;
  }

  /** The bytes a segment of {@code name} takes before its records. */
  public static int headerSize(String name) {
    return 4 + 1 + 2 + name.getBytes(StandardCharsets.UTF_8).length + 8 + 4;
  }

  /** Bytes one more record of {@code length} adds to a segment. */
  public static int recordCost(int length) {
    return varintSize(length) + length;
  }

  static void checkRecord(byte[] r) {
    Objects.requireNonNull(r, "record");
    if (r.length > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "record of " + r.length + " bytes exceeds " + MAX_RECORD_BYTES + " bytes");
    }
  }

  private static int varintSize(long v) {
    int n = 1;
    while ((v >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  /**
   * Reads a segment from {@code bytes}, which must hash to {@code expected} (null: not checked, for
   * a segment this node wrote and verifies otherwise).
   *
   * @throws FormatException when the bytes do not match the id or are not a valid segment
   */
  public static LogSegment decode(byte[] bytes, ChunkId expected) throws FormatException {
    if (bytes.length > MAX_SEGMENT_BYTES) {
      throw new FormatException(
          "log segment of " + bytes.length + " bytes exceeds " + MAX_SEGMENT_BYTES + " bytes");
    }
    if (expected != null && !expected.algorithm().hash(bytes).equals(expected)) {
      throw new FormatException("log segment does not match its id " + expected.toShortHex());
    }
    FormatReader r = new FormatReader(bytes, "log segment");
    r.expectMagic(MAGIC);
    r.version(1, FORMAT_VERSION, FORMAT_VERSION);
    String name = r.utf8u16("name", SnapshotName.MAX_NAME_CHARS * 4);
    try {
      SnapshotName.check(name);
    } catch (IllegalArgumentException e) {
      throw r.error("bad log name: " + e.getMessage());
    }
    long first = r.u64("first offset", Long.MAX_VALUE - MAX_RECORDS);
    long count = r.u32("record count", MAX_RECORDS);
    if (count == 0) {
      throw r.error("a segment holds at least one record");
    }
    List<byte[]> records = new ArrayList<>((int) count);
    for (long i = 0; i < count; i++) {
      int length = (int) r.varint("record length", MAX_RECORD_BYTES);
      records.add(r.bytes(length, "record"));
    }
    r.expectEnd();
    return new LogSegment(name, first, List.copyOf(records), bytes.clone());
  }

  public String name() {
    return name;
  }

  public long firstOffset() {
    return firstOffset;
  }

  /** One past the last record's offset. */
  public long endOffset() {
    return firstOffset + records.size();
  }

  /** The records, in order; do not modify the arrays. */
  public List<byte[]> records() {
    return records;
  }

  /** The id of {@link #encoded()}. */
  public ChunkId id() {
    return id;
  }

  /** The encoding (a copy). */
  public byte[] encoded() {
    return encoded.clone();
  }

  /** The encoding's length in bytes. */
  public int encodedLength() {
    return encoded.length;
  }
}
