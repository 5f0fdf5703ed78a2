package io.shoal.chunkstore;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes big-endian persistent formats into a growing array, with the same field vocabulary as
 * {@link FormatReader}. Not thread-safe.
 */
public final class FormatWriter {
  private final ByteArrayOutputStream out;
  private final byte[] scratchBytes = new byte[16];
  private final ByteBuffer scratch = ByteBuffer.wrap(scratchBytes);

  public FormatWriter(int expectedBytes) {
    this.out = new ByteArrayOutputStream(expectedBytes);
  }

  public FormatWriter u8(int v) {
    out.write(v);
    return this;
  }

  public FormatWriter u16(int v) {
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  public FormatWriter u32(long v) {
    return put(scratch.clear().putInt((int) v));
  }

  public FormatWriter u64(long v) {
    return put(scratch.clear().putLong(v));
  }

  public FormatWriter varint(long v) {
    long rest = v;
    while ((rest & ~0x7fL) != 0) {
      out.write((int) ((rest & 0x7f) | 0x80));
      rest >>>= 7;
    }
    out.write((int) rest);
    return this;
  }

  public FormatWriter chunkId(ChunkId id) {
    return put(scratch.clear().putLong(id.high()).putLong(id.low()));
  }

  /** A UTF-8 string with a u16 length prefix. */
  public FormatWriter utf8u16(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xffff) {
      throw new IllegalArgumentException("string of " + b.length + " bytes does not fit a u16");
    }
    u16(b.length);
    out.writeBytes(b);
    return this;
  }

  public FormatWriter bytes(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  public int size() {
    return out.size();
  }

  public byte[] toByteArray() {
    return out.toByteArray();
  }

  private FormatWriter put(ByteBuffer b) {
    out.write(scratchBytes, 0, b.position());
    return this;
  }
}
