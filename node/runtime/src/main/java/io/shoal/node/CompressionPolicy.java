package io.shoal.node;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * When to send a chunk LZ4-compressed: only when that pays. It pays when the link is slower than
 * the compressor (else the CPU becomes the bottleneck) and the data compresses (else the work is
 * wasted); otherwise chunks go raw, zero-copy from their files.
 *
 * <ul>
 *   <li>The link's speed is what the requester receives over all its peers, sent with each request
 *       (a single peer's share can be small because the requester is busy elsewhere); an upload
 *       limit on this node caps it. The compressor's speed is measured here, on the chunks actually
 *       compressed.
 *   <li>Compressibility is measured on what was sent recently (a moving average of the compressed
 *       to raw ratio). While it says the data does not compress, only one chunk in {@link
 *       #PROBE_EVERY} is tried, so a change in the data is noticed at little cost; a tried chunk is
 *       first judged on a 4 KiB sample, and sent compressed only if it shrank enough whole.
 * </ul>
 *
 * <p>Thread-safe.
 */
final class CompressionPolicy {
  static final int SAMPLE_BYTES = 4096;

  /** Compress only if the data shrinks to this fraction or less. */
  static final double MAX_RATIO = 0.85;

  /** Compress only if the link is slower than this fraction of the compressor. */
  static final double LINK_TO_COMPRESSOR = 0.5;

  /** While data looks incompressible, try one chunk in this many. */
  static final int PROBE_EVERY = 32;

  static final double INITIAL_COMPRESSOR_BYTES_PER_SECOND = 400e6;

  private static final double SMOOTHING = 0.1;
  private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();

  private final boolean enabled;
  private double compressorBytesPerSecond = INITIAL_COMPRESSOR_BYTES_PER_SECOND;
  private double ratio = 0.5;
  private long decisions;

  CompressionPolicy(boolean enabled) {
    this.enabled = enabled;
  }

  static LZ4Compressor compressor() {
    return LZ4.fastCompressor();
  }

  static LZ4SafeDecompressor decompressor() {
    return LZ4.safeDecompressor();
  }

  /**
   * Whether to try compressing the next chunk for a peer.
   *
   * @param linkBytesPerSecond what the requester receives over all its peers, 0 if unknown
   * @param uploadLimit this node's upload limit in bytes per second, 0 if none
   */
  synchronized boolean shouldTry(long linkBytesPerSecond, long uploadLimit) {
    long link =
        uploadLimit > 0 && (linkBytesPerSecond <= 0 || uploadLimit < linkBytesPerSecond)
            ? uploadLimit
            : linkBytesPerSecond;
    if (!enabled || link <= 0 || link >= LINK_TO_COMPRESSOR * compressorBytesPerSecond) {
      return false;
    }
    decisions++;
    return ratio <= MAX_RATIO || decisions % PROBE_EVERY == 0;
  }

  /** Whether a sample of the chunk compresses well enough to compress the whole; notes it. */
  boolean sampleCompresses(byte[] chunk) {
    int n = Math.min(SAMPLE_BYTES, chunk.length);
    if (n < 256) {
      return false;
    }
    byte[] out = new byte[LZ4.fastCompressor().maxCompressedLength(n)];
    int c = LZ4.fastCompressor().compress(chunk, 0, n, out, 0, out.length);
    double r = (double) c / n;
    if (r > MAX_RATIO) {
      observeRatio(r);
      return false;
    }
    return true;
  }

  /** Notes that {@code raw} bytes took {@code nanos} to compress to {@code compressed}. */
  synchronized void measured(long raw, long compressed, long nanos) {
    if (raw >= SAMPLE_BYTES) {
      ratio = (1 - SMOOTHING) * ratio + SMOOTHING * ((double) compressed / raw);
      if (nanos > 0) {
        compressorBytesPerSecond =
            (1 - SMOOTHING) * compressorBytesPerSecond + SMOOTHING * (raw * 1e9 / nanos);
      }
    }
  }

  private synchronized void observeRatio(double r) {
    ratio = (1 - SMOOTHING) * ratio + SMOOTHING * r;
  }

  synchronized double compressorBytesPerSecond() {
    return compressorBytesPerSecond;
  }

  /** The moving average of compressed to raw size over recent tries. */
  synchronized double ratio() {
    return ratio;
  }
}
