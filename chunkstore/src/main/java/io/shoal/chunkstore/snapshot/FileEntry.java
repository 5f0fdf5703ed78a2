package io.shoal.chunkstore.snapshot;

import java.util.Objects;

/**
 * One entry of a snapshot's file table.
 *
 * @param path relative path, components separated by {@code /}; see {@link SnapshotPaths}
 * @param directory whether this is a directory (else a regular file)
 * @param mode POSIX permission bits, {@code 0} to {@code 07777}
 * @param sizeBytes the file's length (0 for a directory)
 * @param dataOffset where the file's bytes start in the snapshot's data stream
 */
public record FileEntry(String path, boolean directory, int mode, long sizeBytes, long dataOffset) {

  public FileEntry {
    Objects.requireNonNull(path, "path");
    if (mode < 0 || mode > 07777 || sizeBytes < 0 || dataOffset < 0) {
      throw new IllegalArgumentException(
          "bad file entry "
              + path
              + ": mode "
              + Integer.toOctalString(mode)
              + ", size "
              + sizeBytes);
    }
    if (directory && sizeBytes != 0) {
      throw new IllegalArgumentException("directory " + path + " has a size");
    }
  }

  /** The offset just past the file's bytes in the data stream. */
  public long dataEnd() {
    return dataOffset + sizeBytes;
  }
}
