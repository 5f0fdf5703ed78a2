package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.HashAlgorithm;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Valid index nodes, file tables and snapshot roots, random but made by the real encoders: the
 * seeds the decoder fuzz properties mutate.
 */
final class ValidEncodings {
  private ValidEncodings() {}

  static ChunkId chunkId(HashAlgorithm algorithm, SplittableRandom r) {
    return new ChunkId(algorithm, r.nextLong(), r.nextLong());
  }

  /** A node of {@code level} under an id of {@code algorithm}. */
  static byte[] indexNode(HashAlgorithm algorithm, int level, SplittableRandom r) {
    int count = 1 + r.nextInt(r.nextBoolean() ? 8 : 300);
    long[] highs = new long[count];
    long[] lows = new long[count];
    long[] spans = new long[count];
    long maxSpan = level == 1 ? IndexNode.MAX_LEAF_SPAN_BYTES : 1L << 50;
    for (int i = 0; i < count; i++) {
      highs[i] = r.nextLong();
      lows[i] = r.nextLong();
      spans[i] = r.nextLong(1, maxSpan + 1);
    }
    return new IndexNode(level, algorithm, highs, lows, spans).encode();
  }

  /** A table of up to 40 entries: directories, files in them, files at the top. */
  static byte[] fileTable(SplittableRandom r) {
    List<String> directories = new ArrayList<>();
    List<FileEntry> entries = new ArrayList<>();
    int n = r.nextInt(40);
    for (int i = 0; i < n; i++) {
      String parent =
          directories.isEmpty() || r.nextInt(3) == 0
              ? ""
              : directories.get(r.nextInt(directories.size())) + "/";
      String path = parent + (r.nextBoolean() ? "e" + i : "entry-é-" + i + ".txt");
      boolean directory = r.nextInt(3) == 0;
      if (directory) {
        directories.add(path);
      }
      long size = directory ? 0 : r.nextLong(0, r.nextBoolean() ? 100 : 1L << 40);
      entries.add(new FileEntry(path, directory, r.nextInt(07777 + 1), size, 0));
    }
    try {
      return FileTable.of(entries).encode();
    } catch (FormatException e) {
      throw new AssertionError("generated an invalid table", e);
    }
  }

  /** A root whose own id has {@code algorithm}. */
  static byte[] root(HashAlgorithm algorithm, SplittableRandom r) {
    return new SnapshotRoot(
            "snap-" + r.nextInt(1000),
            r.nextLong(1, Long.MAX_VALUE),
            algorithm,
            r.nextBoolean(),
            r.nextBoolean() ? "" : "publisher-" + r.nextInt(),
            r.nextLong(),
            new TreeRef(chunkId(algorithm, r), r.nextLong(0, 1L << 50), r.nextInt(6)),
            new TreeRef(chunkId(algorithm, r), r.nextLong(0, 1L << 30), r.nextInt(4)),
            r.nextLong(0, FileTable.MAX_ENTRIES + 1),
            r.nextInt(1 << 16),
            r.nextInt(1 << 20),
            r.nextInt(1 << 24),
            r.nextBoolean() ? SnapshotRoot.NO_LOG_OFFSET : r.nextLong(0, Long.MAX_VALUE))
        .encode();
  }
}
