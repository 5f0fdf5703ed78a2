package io.shoal.chunkstore;

import java.io.IOException;

/** The store does not hold the chunk asked for. */
public final class ChunkNotFoundException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient ChunkId id;

  public ChunkNotFoundException(ChunkId id) {
    super("chunk " + id + " is not in the store");
    this.id = id;
  }

  public ChunkId id() {
    return id;
  }
}
