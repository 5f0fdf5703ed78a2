package io.shoal.chunkstore.log;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/** One record of a change log and its offset (records count from 0). Immutable. */
public final class LogRecord {
  private final long offset;
  private final byte[] data;

  /** Takes {@code data} as it is: the caller gives up the array. */
  LogRecord(long offset, byte[] data) {
    this.offset = offset;
    this.data = data;
  }

  public long offset() {
    return offset;
  }

  /** The record's bytes (a copy). */
  public byte[] data() {
    return data.clone();
  }

  public int length() {
    return data.length;
  }

  /** Writes the record's bytes to {@code out}. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogRecord r && r.offset == offset && Arrays.equals(r.data, data);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(offset) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "LogRecord[" + offset + ", " + data.length + " bytes]";
  }
}
