package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.FormatException;

/** A file table names a path that could escape its target directory; nothing was written. */
public final class UnsafePathException extends FormatException {
  private static final long serialVersionUID = 1L;

  public UnsafePathException(String path, String reason) {
    super("refusing unsafe path '" + printable(path) + "' in the file table: " + reason);
  }

  private static String printable(String path) {
    return path.replace("\0", "\\0").replace("\n", "\\n");
  }
}
