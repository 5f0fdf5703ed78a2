package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.FormatReader;
import io.shoal.chunkstore.FormatWriter;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.SnapshotName;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The root chunk of a snapshot; its id is the snapshot id.
 *
 * <pre>
 * SHSR (4) | version u16 | algorithm u8 | flags u8 (bit 0: single file)
 * snapshot version u64 | created millis i64
 * name (u16 length + UTF-8) | publisher (u16 length + UTF-8)
 * data tree:       digest 16 | size u64 | height u8
 * file table tree: digest 16 | size u64 | height u8
 * entry count u64 | chunker min u32 | avg u32 | max u32
 * log offset u64                       (version 2 only, with flags bit 1)
 * </pre>
 *
 * A root without a log offset is written as version 1, so that older nodes read it; one with a log
 * offset as version 2, which older nodes refuse with one error rather than misread.
 *
 * @param name snapshot name
 * @param version snapshot version
 * @param algorithm the hash algorithm of every id in the snapshot
 * @param singleFile whether the snapshot is one file (materialized as a file, not a directory)
 * @param publisher id of the node that published it
 * @param createdMillis publication time, milliseconds since the epoch
 * @param data the data stream's tree
 * @param fileTable the file table's tree
 * @param entryCount entries in the file table
 * @param chunkerMin chunker minimum used at publication (informational)
 * @param chunkerAvg chunker average used at publication (informational)
 * @param chunkerMax chunker maximum used at publication (informational)
 * @param logOffset the offset of the first record of the change log of the same name that the
 *     snapshot does not hold (it holds the state after every record before it), or {@link
 *     #NO_LOG_OFFSET}: a restore replays the log from there
 */
public record SnapshotRoot(
    String name,
    long version,
    HashAlgorithm algorithm,
    boolean singleFile,
    String publisher,
    long createdMillis,
    TreeRef data,
    TreeRef fileTable,
    long entryCount,
    int chunkerMin,
    int chunkerAvg,
    int chunkerMax,
    long logOffset) {

  static final int MAGIC = 0x5348_5352; // "SHSR"
  static final int VERSION = 1;
  static final int VERSION_WITH_LOG_OFFSET = 2;

  /** The log offset of a snapshot that records none. */
  public static final long NO_LOG_OFFSET = -1;

  static final int MAX_PUBLISHER_BYTES = 256;

  public SnapshotRoot {
    SnapshotName.check(name);
    SnapshotName.checkVersion(version);
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(publisher, "publisher");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(fileTable, "fileTable");
    if (logOffset < NO_LOG_OFFSET) {
      throw new IllegalArgumentException("log offset " + logOffset + " is below 0");
    }
  }

  /** A root that records no log offset. */
  public SnapshotRoot(
      String name,
      long version,
      HashAlgorithm algorithm,
      boolean singleFile,
      String publisher,
      long createdMillis,
      TreeRef data,
      TreeRef fileTable,
      long entryCount,
      int chunkerMin,
      int chunkerAvg,
      int chunkerMax) {
    this(
        name,
        version,
        algorithm,
        singleFile,
        publisher,
        createdMillis,
        data,
        fileTable,
        entryCount,
        chunkerMin,
        chunkerAvg,
        chunkerMax,
        NO_LOG_OFFSET);
  }

  /** Whether the snapshot records the log offset it covers. */
  public boolean hasLogOffset() {
    return logOffset != NO_LOG_OFFSET;
  }

  /** {@code name@version}. */
  public String label() {
    return name + "@" + version;
  }

  byte[] encode() {
    FormatWriter w = new FormatWriter(160);
    boolean log = hasLogOffset();
    w.u32(MAGIC)
        .u16(log ? VERSION_WITH_LOG_OFFSET : VERSION)
        .u8(algorithm.code())
        .u8((singleFile ? 1 : 0) | (log ? 2 : 0));
    w.u64(version).u64(createdMillis).utf8u16(name).utf8u16(publisher);
    tree(w, data);
    tree(w, fileTable);
    w.u64(entryCount).u32(chunkerMin).u32(chunkerAvg).u32(chunkerMax);
    if (log) {
      w.u64(logOffset);
    }
    return w.toByteArray();
  }

  private static void tree(FormatWriter w, TreeRef t) {
    w.chunkId(t.root()).u64(t.sizeBytes()).u8(t.height());
  }

  /**
   * Decodes the root chunk read under {@code id}.
   *
   * @throws FormatException on any malformation or an unknown version
   */
  public static SnapshotRoot decode(ChunkId id, ByteBuffer bytes) throws FormatException {
    FormatReader r = new FormatReader(bytes, "snapshot root " + id);
    r.expectMagic(MAGIC);
    int format = r.version(2, VERSION, VERSION_WITH_LOG_OFFSET);
    HashAlgorithm algorithm = HashAlgorithm.fromCode(r.u8("algorithm"));
    if (algorithm != id.algorithm()) {
      throw r.error("says algorithm " + algorithm + " but its id is " + id.algorithm());
    }
    int flags = r.u8("flags");
    int known = format == VERSION ? 1 : 3;
    if ((flags & ~known) != 0) {
      throw r.error("unknown flags " + flags);
    }
    if (format == VERSION_WITH_LOG_OFFSET && (flags & 2) == 0) {
      throw r.error("version 2 without a log offset");
    }
    long version = r.u64("version", Long.MAX_VALUE);
    long created = r.i64("created");
    String name = r.utf8u16("name", 4 * 128);
    String publisher = r.utf8u16("publisher", MAX_PUBLISHER_BYTES);
    TreeRef data = readTree(r, algorithm, "data tree");
    TreeRef fileTable = readTree(r, algorithm, "file table tree");
    long entryCount = r.u64("entry count", FileTable.MAX_ENTRIES);
    int min = (int) r.u32("chunker min", Integer.MAX_VALUE);
    int avg = (int) r.u32("chunker avg", Integer.MAX_VALUE);
    int max = (int) r.u32("chunker max", Integer.MAX_VALUE);
    long logOffset = (flags & 2) != 0 ? r.u64("log offset", Long.MAX_VALUE) : NO_LOG_OFFSET;
    r.expectEnd();
    try {
      return new SnapshotRoot(
          name,
          version,
          algorithm,
          (flags & 1) != 0,
          publisher,
          created,
          data,
          fileTable,
          entryCount,
          min,
          avg,
          max,
          logOffset);
    } catch (IllegalArgumentException e) {
      throw r.error(e.getMessage());
    }
  }

  private static TreeRef readTree(FormatReader r, HashAlgorithm algorithm, String field)
      throws FormatException {
    ChunkId root = r.chunkId(algorithm, field + " root");
    long size = r.u64(field + " size", Long.MAX_VALUE);
    int height = r.u8(field + " height");
    if (height > TreeRef.MAX_HEIGHT) {
      throw r.error(field + " height " + height + " exceeds " + TreeRef.MAX_HEIGHT);
    }
    return new TreeRef(root, size, height);
  }
}
