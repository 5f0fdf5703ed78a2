package io.shoal.node;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * When to send a chunk LZ4-compressed: only when that pays. It pays when the link is slower than
 * the compressor (else the CPU becomes the bottleneck) and the chunk compresses (else the work is
 * wasted). The link's speed is what the requester measured and sent with its request; the
 * compressor's speed is measured here, on the chunks actually compressed; compressibility is judged
 * from LZ4 on a 4 KiB sample of the chunk before compressing it whole.
 *
 * <p>Thread-safe.
 */
final class CompressionPolicy {
  static final int SAMPLE_BYTES = 4096;

  /** Compress only if the sample shrinks to this fraction or less. */
  static final double MAX_SAMPLE_RATIO = 0.85;

  /** Compress only if the link is slower than this fraction of the compressor. */
  static final double LINK_TO_COMPRESSOR = 0.5;

  static final double INITIAL_COMPRESSOR_BYTES_PER_SECOND = 400e6;

  private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();

  private final boolean enabled;
  private volatile double compressorBytesPerSecond = INITIAL_COMPRESSOR_BYTES_PER_SECOND;

  CompressionPolicy(boolean enabled) {
    this.enabled = enabled;
  }

  static LZ4Compressor compressor() {
    return LZ4.fastCompressor();
  }

  static net.jpountz.lz4.LZ4SafeDecompressor decompressor() {
    return LZ4.safeDecompressor();
  }

  /** Whether the link is slow enough that compression could pay. */
  boolean linkWantsCompression(long linkBytesPerSecond) {
    return enabled
        && linkBytesPerSecond > 0
        && linkBytesPerSecond < LINK_TO_COMPRESSOR * compressorBytesPerSecond;
  }

  /** Whether a sample of the chunk compresses well enough to compress the whole. */
  static boolean sampleCompresses(byte[] chunk) {
    int n = Math.min(SAMPLE_BYTES, chunk.length);
    if (n < 256) {
      return false;
    }
    byte[] out = new byte[LZ4.fastCompressor().maxCompressedLength(n)];
    int c = LZ4.fastCompressor().compress(chunk, 0, n, out, 0, out.length);
    return c <= n * MAX_SAMPLE_RATIO;
  }

  /** Notes that {@code bytes} took {@code nanos} to compress. */
  void measured(long bytes, long nanos) {
    if (nanos > 0 && bytes >= 4096) {
      double sample = bytes * 1e9 / nanos;
      compressorBytesPerSecond = 0.9 * compressorBytesPerSecond + 0.1 * sample;
    }
  }

  double compressorBytesPerSecond() {
    return compressorBytesPerSecond;
  }
}
