package io.shoal.chunkstore;

import java.io.IOException;
import java.util.OptionalLong;

/** Another process owns the store directory. */
public final class StoreLockedException extends IOException {
  private static final long serialVersionUID = 1L;
  private static final long UNKNOWN_PID = -1;

  private final long holderPid;

  public StoreLockedException(String message) {
    this(message, UNKNOWN_PID);
  }

  StoreLockedException(String message, long holderPid) {
    super(message);
    this.holderPid = holderPid;
  }

  /** The pid the holder wrote into the lock file, when it could be read. */
  public OptionalLong holderPid() {
    return holderPid == UNKNOWN_PID ? OptionalLong.empty() : OptionalLong.of(holderPid);
  }
}
