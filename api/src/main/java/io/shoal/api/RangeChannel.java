package io.shoal.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * One file of a snapshot, read by ranges from the node's gateway: a read at a position the buffer
 * does not hold asks for {@link #WINDOW} bytes from there, which the node fetches first when it
 * does not hold them yet. Holds at most one window.
 */
final class RangeChannel implements SeekableByteChannel {
  /** The bytes one request asks for. */
  static final int WINDOW = 1 << 20;

  private final HttpLink link;
  private final String path;
  private final long size;
  private final byte[] window = new byte[WINDOW];
  private long windowStart;
  private int windowLength;
  private long position;
  private boolean open = true;

  RangeChannel(HttpLink link, String path) throws IOException {
    this.link = link;
    this.path = path;
    this.size = link.length(path);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    checkOpen();
    if (position >= size) {
      return -1;
    }
    if (position < windowStart || position >= windowStart + windowLength) {
      fill(position);
    }
    int offset = (int) (position - windowStart);
    int n = Math.min(dst.remaining(), windowLength - offset);
    dst.put(window, offset, n);
    position += n;
    return n;
  }

  private void fill(long from) throws IOException {
    long last = Math.min(size, from + WINDOW) - 1;
    int length = (int) (last - from + 1);
    try (InputStream in = link.stream(path, "bytes=" + from + "-" + last)) {
      int got = in.readNBytes(window, 0, length);
      if (got != length) {
        throw new IOException("node: " + path + " ended at " + (from + got) + " of " + size);
      }
    }
    windowStart = from;
    windowLength = length;
  }

  @Override
  public long position() throws IOException {
    checkOpen();
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) throws IOException {
    checkOpen();
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position " + newPosition);
    }
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    checkOpen();
    return size;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public SeekableByteChannel truncate(long s) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }

  private void checkOpen() throws ClosedChannelException {
    if (!open) {
      throw new ClosedChannelException();
    }
  }
}
