package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkId;
import java.util.Objects;

/**
 * The top of a chunk tree over a byte stream.
 *
 * @param root the top chunk: a data chunk when {@code height} is 0, else an index node of that
 *     level
 * @param sizeBytes the length of the stream
 * @param height levels of index nodes above the data chunks
 */
public record TreeRef(ChunkId root, long sizeBytes, int height) {
  /** Tallest tree accepted; with a minimum fan-out of 4 this covers any stream. */
  public static final int MAX_HEIGHT = 40;

  public TreeRef {
    Objects.requireNonNull(root, "root");
    if (sizeBytes < 0 || height < 0 || height > MAX_HEIGHT) {
      throw new IllegalArgumentException("bad tree: size " + sizeBytes + ", height " + height);
    }
  }
}
