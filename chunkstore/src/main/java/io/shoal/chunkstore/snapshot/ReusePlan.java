package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.FastCdc;
import io.shoal.chunkstore.HashAlgorithm;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The chunks of the previous version that a publication may take as they are, placed where they
 * fall in the new data stream.
 *
 * <p>A content-defined cut depends only on the bytes from the chunk's start to the cut (and on the
 * chunker's sizes). So a chunk of the previous version that lies wholly inside a file that has not
 * changed since ({@link PublishHistory}) is a chunk of the new version too, wherever the new
 * chunking starts a chunk at its first byte, and it ends where it ended before. The one exception
 * is the previous stream's last chunk, which its end may have cut, and it is left out. {@link
 * PublishPipeline} skips reading the segments such chunks cover, and takes them whenever the true
 * chunking reaches one's start; where it does not (a chunk of the new version runs across), it
 * reads the segment after all. The result is exactly that of reading everything.
 *
 * <p>Built while the publication's batch is open, which keeps garbage collection from dropping a
 * chunk the plan found in the store.
 */
final class ReusePlan {
  static final ReusePlan NONE = new ReusePlan(new long[0], new int[0], new ChunkId[0], 0);

  /** Start, length and id of each reusable chunk in the new stream, in stream order. */
  private final long[] starts;

  private final int[] lengths;
  private final ChunkId[] ids;
  private final int count;

  private ReusePlan(long[] starts, int[] lengths, ChunkId[] ids, int count) {
    this.starts = starts;
    this.lengths = lengths;
    this.ids = ids;
    this.count = count;
  }

  /**
   * The plan for publishing {@code files} (regular entries of the new table, with their stamps)
   * with {@code chunker} after {@code previous}, or {@link #NONE} when the previous version cannot
   * be read or was cut or hashed otherwise.
   */
  static ReusePlan of(
      ChunkStore store,
      FastCdc chunker,
      HashAlgorithm algorithm,
      Optional<PublishHistory.Entry> previous,
      List<FileEntry> files,
      List<FileStamp> stamps)
      throws IOException {
    if (previous.isEmpty() || !store.contains(previous.get().root())) {
      return NONE;
    }
    PublishHistory.Entry before = previous.get();
    SnapshotReader reader = new SnapshotReader(store);
    SnapshotRoot root = reader.root(before.root());
    if (root.algorithm() != algorithm
        || root.chunkerMin() != chunker.minBytes()
        || root.chunkerAvg() != chunker.avgBytes()
        || root.chunkerMax() != chunker.maxBytes()) {
      return NONE;
    }
    Builder plan = new Builder();
    LeafCursor old = null;
    for (int i = 0; i < files.size(); i++) {
      FileEntry f = files.get(i);
      FileStamp stamp = stamps.get(i);
      Optional<PublishHistory.Placed> same =
          stamp == null ? Optional.empty() : before.unchanged(f.path(), stamp);
      if (same.isEmpty() || f.sizeBytes() == 0) {
        continue;
      }
      long from = same.get().dataOffset();
      long to = from + f.sizeBytes();
      if (to > root.data().sizeBytes()) {
        return NONE; // the history does not describe this root
      }
      if (old == null || old.offset() > from) {
        old = new LeafCursor(reader, root.data(), from);
        old.next();
      }
      while (old.offset() < from && old.next()) {
        // to the first chunk that starts inside the file
      }
      while (old.offset() >= from
          && old.offset() + old.length() <= to
          && old.offset() + old.length() < root.data().sizeBytes()) {
        if (!store.contains(old.id())) {
          return NONE;
        }
        plan.add(f.dataOffset() + old.offset() - from, old.length(), old.id());
        if (!old.next()) {
          break;
        }
      }
    }
    return plan.build();
  }

  /** Whether reusable chunks, back to back, cover {@code [from, to)}. */
  boolean covers(long from, long to) {
    int i = Arrays.binarySearch(starts, 0, count, from);
    if (i < 0) {
      i = -i - 2;
      if (i < 0 || starts[i] + lengths[i] <= from) {
        return false;
      }
    }
    long end = starts[i] + lengths[i];
    while (end < to) {
      if (++i == count || starts[i] != end) {
        return false;
      }
      end += lengths[i];
    }
    return true;
  }

  /** The reusable chunk that starts at {@code position}, or -1. */
  int startingAt(long position) {
    int i = Arrays.binarySearch(starts, 0, count, position);
    return i >= 0 ? i : -1;
  }

  int length(int i) {
    return lengths[i];
  }

  ChunkId id(int i) {
    return ids[i];
  }

  private static final class Builder {
    private long[] starts = new long[64];
    private int[] lengths = new int[64];
    private ChunkId[] ids = new ChunkId[64];
    private int count;

    void add(long start, int length, ChunkId id) {
      if (count == starts.length) {
        starts = Arrays.copyOf(starts, count * 2);
        lengths = Arrays.copyOf(lengths, count * 2);
        ids = Arrays.copyOf(ids, count * 2);
      }
      starts[count] = start;
      lengths[count] = length;
      ids[count] = id;
      count++;
    }

    ReusePlan build() {
      return count == 0 ? NONE : new ReusePlan(starts, lengths, ids, count);
    }
  }
}
