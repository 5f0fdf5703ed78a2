package io.shoal.chunkstore;

import java.nio.file.Path;

/**
 * The child process of {@link StoreLockTest}: opens the store in {@code args[0]}, so holding its
 * lock, and closes it when its stdin closes.
 */
public final class StoreLockHolder {
  private StoreLockHolder() {}

  public static void main(String[] args) throws Exception {
    try (ChunkStore store = ChunkStore.open(Path.of(args[0]))) {
      System.in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }
}
