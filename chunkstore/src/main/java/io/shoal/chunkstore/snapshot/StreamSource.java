package io.shoal.chunkstore.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * A byte stream being published, readable at any offset from any thread: either the regular files
 * of a snapshot, concatenated in table order, or bytes in memory.
 */
interface StreamSource {
  long size();

  /**
   * Fills {@code dst} from its position to its limit with the stream's bytes from {@code position}.
   *
   * @throws IOException when a file's length changed since it was scanned
   */
  void read(long position, ByteBuffer dst) throws IOException;

  static StreamSource ofBytes(byte[] bytes) {
    return new StreamSource() {
      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public void read(long position, ByteBuffer dst) {
        dst.put(bytes, (int) position, dst.remaining());
      }
    };
  }

  static StreamSource ofFiles(List<Path> files, List<FileEntry> regularEntries) {
    return new Files(files, regularEntries);
  }

  /** Regular files concatenated. */
  final class Files implements StreamSource {
    private final Path[] files;
    private final long[] starts;
    private final long[] sizes;
    private final long total;

    Files(List<Path> files, List<FileEntry> regularEntries) {
      this.files = files.toArray(new Path[0]);
      this.starts = new long[this.files.length];
      this.sizes = new long[this.files.length];
      long offset = 0;
      for (int i = 0; i < this.files.length; i++) {
        starts[i] = offset;
        sizes[i] = regularEntries.get(i).sizeBytes();
        offset += sizes[i];
      }
      this.total = offset;
    }

    @Override
    public long size() {
      return total;
    }

    @Override
    public void read(long position, ByteBuffer dst) throws IOException {
      int i = Arrays.binarySearch(starts, position);
      if (i < 0) {
        i = -i - 2;
      }
      long pos = position;
      while (dst.hasRemaining()) {
        while (i < files.length && sizes[i] == 0) {
          i++;
        }
        if (i >= files.length) {
          throw new IOException("read past the end of the publication");
        }
        long inFile = pos - starts[i];
        try (FileChannel ch = FileChannel.open(files[i], StandardOpenOption.READ)) {
          long actual = ch.size();
          if (actual != sizes[i]) {
            throw changed(files[i], sizes[i], actual);
          }
          int want = (int) Math.min(dst.remaining(), sizes[i] - inFile);
          ByteBuffer part = dst.slice().limit(want);
          while (part.hasRemaining()) {
            int n = ch.read(part, inFile + part.position());
            if (n < 0) {
              throw changed(files[i], sizes[i], inFile + part.position());
            }
          }
          dst.position(dst.position() + want);
          pos += want;
        }
        i++;
      }
    }

    private static IOException changed(Path file, long expected, long actual) {
      return new IOException(
          "file "
              + file
              + " changed while it was being published ("
              + expected
              + " bytes when"
              + " scanned, "
              + actual
              + " now); publish again once it is stable");
    }
  }
}
