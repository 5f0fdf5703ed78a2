package io.shoal.chunkstore;

import java.io.IOException;

/**
 * The store refuses writes since an fsync failed: the bytes that fsync covered may be lost, and a
 * later fsync that succeeds proves nothing about them. Reopening the store re-verifies its packs.
 */
public final class StoreFailedException extends IOException {
  private static final long serialVersionUID = 1L;

  public StoreFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
