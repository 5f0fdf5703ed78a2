package io.shoal.chunkstore;

import java.io.IOException;

/** Another process owns the store directory. */
public final class StoreLockedException extends IOException {
  private static final long serialVersionUID = 1L;

  public StoreLockedException(String message) {
    super(message);
  }
}
