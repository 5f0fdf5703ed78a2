package io.shoal.node.net;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A region of a file sent with {@code sendfile} (zero-copy), from a file channel shared with other
 * regions: unlike Netty's {@code DefaultFileRegion}, releasing it leaves the channel open for the
 * next chunk of the same pack.
 */
public final class SharedFileRegion extends AbstractReferenceCounted implements FileRegion {
  private final FileChannel file;
  private final long position;
  private final long count;
  private long transferred;

  public SharedFileRegion(FileChannel file, long position, long count) {
    this.file = file;
    this.position = position;
    this.count = count;
  }

  /**
   * The bytes of {@code region} in a pooled buffer the caller owns (the region is not released):
   * for connections where zero-copy is impossible, such as TLS.
   */
  public static io.netty.buffer.ByteBuf copyOf(
      FileRegion region, io.netty.buffer.ByteBufAllocator alloc) throws IOException {
    int n = Math.toIntExact(region.count() - region.transferred());
    io.netty.buffer.ByteBuf buf = alloc.directBuffer(n);
    try {
      if (region instanceof SharedFileRegion s) {
        long at = s.position + s.transferred;
        while (buf.writableBytes() > 0) {
          if (buf.writeBytes(s.file, at + buf.writerIndex(), buf.writableBytes()) < 0) {
            throw new IOException("pack shrank under a chunk being sent");
          }
        }
      } else {
        try (WritableByteChannel out =
            java.nio.channels.Channels.newChannel(new io.netty.buffer.ByteBufOutputStream(buf))) {
          while (region.transferred() < region.count()) {
            if (region.transferTo(out, region.transferred()) <= 0) {
              throw new IOException("file region ended early");
            }
          }
        }
      }
      return buf;
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw e;
    }
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public long count() {
    return count;
  }

  @Override
  public long transferred() {
    return transferred;
  }

  @Override
  @Deprecated
  public long transfered() {
    return transferred;
  }

  @Override
  public long transferTo(WritableByteChannel target, long at) throws IOException {
    long left = count - at;
    if (left <= 0) {
      return 0;
    }
    long n = file.transferTo(position + at, left, target);
    if (n > 0) {
      transferred += n;
    } else if (n == 0 && file.size() < position + count) {
      throw new IOException("pack shrank under a chunk being sent");
    }
    return n;
  }

  @Override
  public SharedFileRegion retain() {
    super.retain();
    return this;
  }

  @Override
  public SharedFileRegion retain(int increment) {
    super.retain(increment);
    return this;
  }

  @Override
  public SharedFileRegion touch() {
    return this;
  }

  @Override
  public SharedFileRegion touch(Object hint) {
    return this;
  }

  @Override
  protected void deallocate() {
    // The file channel is shared; its owner closes it.
  }
}
