package io.shoal.chunkstore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code SHOAL-STORE} file that marks a directory as a store and names its format: written into
 * an empty directory, checked in any other, so a store never takes over a directory it did not
 * create and never reads a format it does not know.
 */
final class StoreMarker {
  static final String MARKER_FILE = "SHOAL-STORE";
  static final int FORMAT_VERSION = 1;

  private StoreMarker() {}

  /**
   * Writes the marker into a directory that holds nothing but the lock, or checks the one there.
   *
   * @throws FormatException when the directory is not a store, or a store of another format
   */
  static void check(Path dir) throws IOException {
    Path marker = dir.resolve(MARKER_FILE);
    if (!Files.exists(marker)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path p : entries) {
          String name = p.getFileName().toString();
          if (!name.equals("lock")) {
            throw new FormatException(
                dir
                    + " is not a shoal store (it has no "
                    + MARKER_FILE
                    + " file) and is not empty; refusing to use it");
          }
        }
      }
      AtomicFiles.write(
          marker,
          ("shoal-store\nformat " + FORMAT_VERSION + "\n").getBytes(StandardCharsets.UTF_8));
      return;
    }
    List<String> lines = Files.readAllLines(marker);
    if (lines.size() < 2
        || !lines.get(0).equals("shoal-store")
        || !lines.get(1).startsWith("format ")) {
      throw new FormatException(marker + " is not a shoal store marker");
    }
    String v = lines.get(1).substring("format ".length()).trim();
    if (!v.equals(Integer.toString(FORMAT_VERSION))) {
      throw new FormatException(
          "store "
              + dir
              + " has format "
              + v
              + "; this shoal reads format "
              + FORMAT_VERSION
              + " only (a newer shoal wrote it?)");
    }
  }
}
