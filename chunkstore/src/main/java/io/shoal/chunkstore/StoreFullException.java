package io.shoal.chunkstore;

import java.io.IOException;

/** A write did not fit: the disk is full or the store's capacity is reached. Nothing was lost. */
public final class StoreFullException extends IOException {
  private static final long serialVersionUID = 1L;

  public StoreFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
