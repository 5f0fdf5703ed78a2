package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.snapshot.FileEntry;
import io.shoal.chunkstore.snapshot.FileTable;
import io.shoal.chunkstore.snapshot.LeafCursor;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.node.core.FetchCore.Wanted;
import io.shoal.node.core.TransferMessage.DeltaRequest;
import io.shoal.node.net.ChunkDelta;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For each data chunk a fetch lacks, the chunks the store holds at the same place of the previous
 * version of the same name (its bases): the older chunks whose bytes cover the same byte range of
 * the same file path. A holder sends the new chunk as a delta against them ({@link DeltaRequest}),
 * which for an edit in place costs the changed bytes and a few more.
 *
 * <p>The place is the file path and the offset within the file, not the offset in the data stream,
 * so that a file growing or shrinking does not shift the places of the files after it (a snapshot
 * of one file matches the old one file whatever either is named). Bases are a hint: whatever a
 * holder sends is rebuilt and verified against the new chunk's id.
 *
 * <p>Bounded: the old version's data chunks are read with one cursor in the order of the places
 * asked for, jumping ahead rather than reading past {@link #MAX_SCAN_GAP_BYTES}, and at most {@link
 * DeltaRequest#MAX_BASES} bases of at most {@link ChunkDelta#MAX_BASE_BYTES} in all are named per
 * chunk. Blocking (reads the store); runs with the plan, on a worker.
 */
final class DeltaBases {
  private static final Logger log = LoggerFactory.getLogger(DeltaBases.class);

  /** Past this gap between one place and the next, the cursor seeks rather than reads through. */
  static final long MAX_SCAN_GAP_BYTES = 64L << 20;

  /** Most older chunks kept in view at once while the places are matched. */
  static final int MAX_WINDOW_CHUNKS = 4096;

  /** A missing chunk and its range in the old version's data stream. */
  private record Place(int index, long from, long to) {}

  /** A data chunk of the old version. */
  private record Leaf(ChunkId id, long offset, int length) {
    long end() {
      return offset + length;
    }
  }

  private DeltaBases() {}

  /**
   * {@code missing} with the bases of each chunk the previous version of {@code target}'s name
   * covers; as given when this store holds no such version or it cannot be read.
   */
  static List<Wanted> attach(
      SnapshotReader reader, CatalogEntry target, SnapshotRoot root, List<Wanted> missing) {
    ChunkStore store = reader.store();
    Optional<CatalogEntry> previous = previous(store, target);
    if (missing.isEmpty() || previous.isEmpty()) {
      return missing;
    }
    try {
      SnapshotRoot old = reader.root(previous.get().root());
      return attach(reader, root, old, missing);
    } catch (IOException | RuntimeException e) {
      log.debug(
          "no delta bases for {} from {}: {}",
          target.label(),
          previous.get().label(),
          e.toString());
      return missing;
    }
  }

  /** The newest complete version of the name below {@code target}'s, with another root. */
  static Optional<CatalogEntry> previous(ChunkStore store, CatalogEntry target) {
    CatalogEntry best = null;
    for (CatalogEntry e : store.catalog().versions(target.name())) {
      if (e.complete() && e.version() < target.version() && !e.root().equals(target.root())) {
        best = e;
      }
    }
    return Optional.ofNullable(best);
  }

  private static List<Wanted> attach(
      SnapshotReader reader, SnapshotRoot root, SnapshotRoot old, List<Wanted> missing)
      throws IOException {
    List<Place> places = places(reader.fileTable(root), reader.fileTable(old), missing);
    places.sort(Comparator.comparingLong(Place::from).thenComparingInt(Place::index));
    List<Wanted> out = new ArrayList<>(missing);
    ArrayDeque<Leaf> window = new ArrayDeque<>();
    LeafCursor cursor = null;
    boolean exhausted = false;
    for (Place p : places) {
      while (!window.isEmpty() && window.peekFirst().end() <= p.from()) {
        window.pollFirst();
      }
      if (window.isEmpty()
          && (cursor == null || exhausted || scannedTo(cursor) + MAX_SCAN_GAP_BYTES < p.from())) {
        cursor = new LeafCursor(reader, old.data(), p.from());
        exhausted = false;
      }
      while (!exhausted && (window.isEmpty() || window.peekLast().end() < p.to())) {
        exhausted = !cursor.next();
        if (!exhausted && cursor.offset() + cursor.length() > p.from()) {
          window.addLast(new Leaf(cursor.id(), cursor.offset(), cursor.length()));
          if (window.size() > MAX_WINDOW_CHUNKS) {
            window.pollFirst();
          }
        }
      }
      List<ChunkId> bases = bases(reader.store(), window, p);
      if (!bases.isEmpty()) {
        Wanted w = missing.get(p.index());
        out.set(p.index(), new Wanted(w.id(), w.sizeBytes(), w.offset(), w.leafIndex(), bases));
      }
    }
    return out;
  }

  private static long scannedTo(LeafCursor cursor) {
    return cursor.offset() + cursor.length();
  }

  /** The chunks of {@code window} that overlap {@code p}, held here, within the bounds. */
  private static List<ChunkId> bases(ChunkStore store, ArrayDeque<Leaf> window, Place p) {
    List<ChunkId> bases = new ArrayList<>();
    long bytes = 0;
    for (Leaf leaf : window) {
      if (leaf.offset() >= p.to() || bases.size() == DeltaRequest.MAX_BASES) {
        break;
      }
      if (leaf.end() <= p.from()) {
        continue;
      }
      bytes += leaf.length();
      if (bytes > ChunkDelta.MAX_BASE_BYTES || !store.contains(leaf.id())) {
        break; // bases are contiguous: a gap would shift the copies after it
      }
      bases.add(leaf.id());
    }
    return bases;
  }

  /**
   * Each missing data chunk's range in the old data stream: same path, same offset within the file,
   * found by the file that holds its first byte; none when the old version lacks that path.
   */
  private static List<Place> places(FileTable now, FileTable old, List<Wanted> missing) {
    List<FileEntry> files = files(now);
    List<FileEntry> oldFiles = files(old);
    // A single file published as a snapshot is named after its source file, which a new version
    // may name otherwise (v1.bin, then v2.bin): one file is the same place whatever its name.
    FileEntry onlyFile = files.size() == 1 && oldFiles.size() == 1 ? oldFiles.get(0) : null;
    long[] starts = new long[files.size()];
    for (int i = 0; i < starts.length; i++) {
      starts[i] = files.get(i).dataOffset();
    }
    List<Place> places = new ArrayList<>();
    for (int i = 0; i < missing.size(); i++) {
      Wanted w = missing.get(i);
      int k = Arrays.binarySearch(starts, w.offset());
      k = k >= 0 ? k : -k - 2;
      if (k < 0 || w.offset() >= files.get(k).dataEnd()) {
        continue;
      }
      FileEntry file = files.get(k);
      long within = w.offset() - file.dataOffset();
      Optional<FileEntry> before = onlyFile != null ? Optional.of(onlyFile) : old.find(file.path());
      if (before.isPresent() && !before.get().directory() && within < before.get().sizeBytes()) {
        long from = before.get().dataOffset() + within;
        places.add(new Place(i, from, from + w.sizeBytes()));
      }
    }
    return places;
  }

  /** The regular files of {@code table} that hold data, in data stream order. */
  private static List<FileEntry> files(FileTable table) {
    List<FileEntry> files = new ArrayList<>();
    for (FileEntry e : table.entries()) {
      if (!e.directory() && e.sizeBytes() > 0) {
        files.add(e);
      }
    }
    files.sort(Comparator.comparingLong(FileEntry::dataOffset));
    return files;
  }
}
