package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.FormatReader;
import io.shoal.chunkstore.FormatWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A snapshot's list of files and directories, in data-stream order: a depth-first walk with the
 * names in each directory sorted by their UTF-8 bytes. Regular files' bytes follow one another in
 * the data stream in this order, so offsets need not be stored.
 *
 * <pre>
 * header: SHFT (4) | version u8 | 3 reserved | entry count u64
 * entry:  kind u8 (0 file, 1 directory) | mode u16 | size varint (files) | path length varint | path UTF-8
 * </pre>
 *
 * Immutable. Decoding checks every path with {@link SnapshotPaths}, refuses duplicates and entries
 * below a regular file.
 */
public final class FileTable {
  static final int MAGIC = 0x5348_4654; // "SHFT"
  static final int VERSION = 1;

  /** Most entries in one snapshot. */
  public static final int MAX_ENTRIES = 16 * 1024 * 1024;

  private static final int KIND_FILE = 0;
  private static final int KIND_DIRECTORY = 1;

  private final List<FileEntry> entries;
  private volatile Map<String, FileEntry> byPath;

  private FileTable(List<FileEntry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Builds a table from entries in stream order, computing data offsets.
   *
   * @throws UnsafePathException when a path breaks the rules
   * @throws FormatException on duplicates or entries below a file
   */
  public static FileTable of(List<FileEntry> entries) throws FormatException {
    List<FileEntry> placed = new ArrayList<>(entries.size());
    long offset = 0;
    for (FileEntry e : entries) {
      placed.add(new FileEntry(e.path(), e.directory(), e.mode(), e.sizeBytes(), offset));
      offset += e.sizeBytes();
    }
    checkStructure(placed);
    return new FileTable(placed);
  }

  public List<FileEntry> entries() {
    return entries;
  }

  public int size() {
    return entries.size();
  }

  /** Bytes of all regular files: the length of the data stream. */
  public long dataBytes() {
    return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).dataEnd();
  }

  public long fileCount() {
    return entries.stream().filter(e -> !e.directory()).count();
  }

  public Optional<FileEntry> find(String path) {
    Map<String, FileEntry> m = byPath;
    if (m == null) {
      m = new HashMap<>(entries.size() * 2);
      for (FileEntry e : entries) {
        m.put(e.path(), e);
      }
      byPath = m;
    }
    return Optional.ofNullable(m.get(path));
  }

  byte[] encode() {
    FormatWriter w = new FormatWriter(16 + entries.size() * 48);
    w.u32(MAGIC).u8(VERSION).u8(0).u16(0).u64(entries.size());
    for (FileEntry e : entries) {
      w.u8(e.directory() ? KIND_DIRECTORY : KIND_FILE).u16(e.mode());
      if (!e.directory()) {
        w.varint(e.sizeBytes());
      }
      byte[] path = e.path().getBytes(StandardCharsets.UTF_8);
      w.varint(path.length).bytes(path);
    }
    return w.toByteArray();
  }

  static FileTable decode(ByteBuffer bytes, String where) throws FormatException {
    FormatReader r = new FormatReader(bytes, "file table of " + where);
    r.expectMagic(MAGIC);
    r.version(1, VERSION, VERSION);
    r.u8("reserved");
    r.u16("reserved");
    long count = r.u64("entry count", MAX_ENTRIES);
    List<FileEntry> entries = new ArrayList<>((int) Math.min(count, 1 << 16));
    long offset = 0;
    for (long i = 0; i < count; i++) {
      int kind = r.u8("kind");
      if (kind != KIND_FILE && kind != KIND_DIRECTORY) {
        throw r.error("unknown entry kind " + kind);
      }
      int mode = r.u16("mode");
      if (mode > 07777) {
        throw r.error("mode " + Integer.toOctalString(mode) + " out of range");
      }
      long size = kind == KIND_FILE ? r.varint("size", Long.MAX_VALUE - offset) : 0;
      int length = (int) r.varint("path length", SnapshotPaths.MAX_PATH_BYTES);
      String path = r.utf8(length, "path");
      entries.add(new FileEntry(path, kind == KIND_DIRECTORY, mode, size, offset));
      offset += size;
    }
    r.expectEnd();
    checkStructure(entries);
    return new FileTable(entries);
  }

  private static void checkStructure(List<FileEntry> entries) throws FormatException {
    Set<String> seen = new HashSet<>(entries.size() * 2);
    Set<String> files = new HashSet<>();
    for (FileEntry e : entries) {
      String problem = SnapshotPaths.problem(e.path());
      if (problem != null) {
        throw new UnsafePathException(e.path(), problem);
      }
      if (!seen.add(e.path())) {
        throw new FormatException("file table names '" + e.path() + "' twice");
      }
      if (!e.directory()) {
        files.add(e.path());
      }
    }
    for (FileEntry e : entries) {
      String p = e.path();
      for (int slash = p.indexOf('/'); slash >= 0; slash = p.indexOf('/', slash + 1)) {
        if (files.contains(p.substring(0, slash))) {
          throw new FormatException(
              "file table puts '" + p + "' below the regular file '" + p.substring(0, slash) + "'");
        }
      }
    }
  }
}
