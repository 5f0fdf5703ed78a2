package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.FormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** A range of a tree's stream, read chunk by chunk; every chunk is verified as it is read. */
final class TreeInputStream extends InputStream {
  private final SnapshotReader reader;
  private final LeafCursor cursor;
  private long position;
  private final long end;
  private ByteBuffer current = ByteBuffer.allocate(0);

  TreeInputStream(SnapshotReader reader, TreeRef tree, long offset, long length) {
    this.reader = reader;
    this.cursor = new LeafCursor(reader, tree, offset);
    this.position = offset;
    this.end = offset + length;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (position >= end) {
      return -1;
    }
    if (!current.hasRemaining() && !advance()) {
      return -1;
    }
    int n = (int) Math.min(Math.min(len, current.remaining()), end - position);
    current.get(b, off, n);
    position += n;
    return n;
  }

  private boolean advance() throws IOException {
    if (!cursor.next()) {
      throw new FormatException("tree ended before offset " + position);
    }
    reader.checkLeaf(cursor.id(), cursor.length());
    ByteBuffer chunk = ByteBuffer.allocate(cursor.length());
    reader.store().readInto(cursor.id(), chunk);
    chunk.flip();
    long skip = position - cursor.offset();
    if (skip < 0 || skip > chunk.limit()) {
      throw new FormatException("chunk " + cursor.id() + " does not cover offset " + position);
    }
    chunk.position((int) skip);
    current = chunk;
    return true;
  }
}
