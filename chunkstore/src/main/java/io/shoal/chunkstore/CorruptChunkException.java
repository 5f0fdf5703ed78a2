package io.shoal.chunkstore;

import java.io.IOException;

/**
 * The bytes stored for a chunk no longer hash to its id (bit rot, a damaged disk, a hand-edited
 * file). The store has already dropped the chunk, so it reads as missing from now on and can be
 * fetched again.
 */
public final class CorruptChunkException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient ChunkId id;

  public CorruptChunkException(ChunkId id, String where) {
    super("chunk " + id + " is corrupt on disk (" + where + "): its bytes do not match its id");
    this.id = id;
  }

  public ChunkId id() {
    return id;
  }
}
