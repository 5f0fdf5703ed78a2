package io.shoal.node.api;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkNotFoundException;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.FileEntry;
import io.shoal.chunkstore.snapshot.FileTable;
import io.shoal.chunkstore.snapshot.SnapshotLookup;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of a snapshot's file table, as {@code shoal ls NAME[@VERSION]} reads it: a huge table is
 * read page by page, so neither the node nor the command holds a second copy of it whole.
 *
 * @param name snapshot name
 * @param version version
 * @param root snapshot id, hex
 * @param complete whether this node holds all of it
 * @param entryCount entries (files and directories) in the whole table
 * @param from index of this page's first entry
 * @param entries the entries, in the table's order
 */
public record FilePage(
    String name,
    long version,
    String root,
    boolean complete,
    long entryCount,
    long from,
    List<Entry> entries) {

  /** Most entries one page holds. */
  public static final int MAX_ENTRIES = 10_000;

  /**
   * One file or directory.
   *
   * @param path its path in the snapshot
   * @param directory whether it is a directory
   * @param mode its POSIX permission bits, in octal ({@code "0644"})
   * @param sizeBytes its length (0 for a directory)
   */
  public record Entry(String path, boolean directory, String mode, long sizeBytes) {}

  /**
   * Entries {@code from} on of the file table of {@code ref} (see {@link SnapshotLookup#toList}),
   * at most {@link #MAX_ENTRIES}. The table is the reader's (cached), not copied.
   *
   * @throws IllegalArgumentException when the store holds no such version, or not its file table
   */
  public static FilePage read(SnapshotReader reader, String ref, long from) throws IOException {
    if (ref == null || from < 0) {
      throw new IllegalArgumentException("a file listing needs NAME[@VERSION] and from >= 0");
    }
    CatalogEntry entry = SnapshotLookup.toList(reader.store().catalog(), SnapshotRef.parse(ref));
    FileTable table;
    try {
      table = reader.fileTable(reader.root(entry.root()));
    } catch (ChunkNotFoundException e) {
      throw new IllegalArgumentException(
          entry.label() + " is partial here and its file table has not arrived yet", e);
    }
    List<FileEntry> all = table.entries();
    int start = (int) Math.min(from, all.size());
    int end = Math.min(all.size(), start + MAX_ENTRIES);
    List<Entry> page = new ArrayList<>(end - start);
    for (FileEntry e : all.subList(start, end)) {
      page.add(new Entry(e.path(), e.directory(), String.format("%04o", e.mode()), e.sizeBytes()));
    }
    return new FilePage(
        entry.name(),
        entry.version(),
        entry.root().toHex(),
        entry.complete(),
        all.size(),
        start,
        List.copyOf(page));
  }

  /** Index of the first entry after this page; {@link #entryCount} at the end. */
  public long next() {
    return from + entries.size();
  }
}
