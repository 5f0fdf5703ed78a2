package io.shoal.node.net;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A chunk as a delta against older chunks the receiver holds (its bases, concatenated in the order
 * the request named them): the payload of a chunk frame of encoding {@link
 * ChunkFrame#ENCODING_DELTA}, the answer to a {@code DeltaRequest}.
 *
 * <pre>
 * payload: ops, one after another, to its end
 * +--------------------------+----------------------+
 * | varint (length << 1 | 0) | length bytes         |  LITERAL: these bytes
 * +--------------------------+----------------------+
 * | varint (length << 1 | 1) | varint base offset   |  COPY: length bytes of the bases from offset
 * +--------------------------+----------------------+
 * </pre>
 *
 * <p><b>Encoding</b> runs on the holder, which has the chunk and its bases both: it indexes the
 * bases in blocks of {@link #MATCH_BYTES}, slides a rolling hash over the chunk (rsync's weak
 * checksum, Tridgell 1996), and extends each block found to the byte, backwards and forwards.
 * Unlike rsync no checksums cross the wire, and a match ends where the bytes differ rather than at
 * a block boundary, so an overwrite costs its own bytes plus a few bytes of ops. A delta larger
 * than {@link #MAX_RATIO} of the chunk, or of more than {@link #MAX_OPS} ops, is not sent: the
 * chunk goes whole.
 *
 * <p><b>Decoding</b> is bounded before it allocates anything but the chunk (at most {@link
 * ChunkFrame#MAX_RAW_BYTES}, as the frame declared): at most {@link #MAX_OPS} ops, each of at least
 * one byte and at most what remains of the declared length, literals within the payload, copies
 * within the bases, and the result exactly the declared length. Any other delta is refused with
 * {@link MalformedDeltaException}; a delta that decodes is still verified against the chunk's id.
 */
public final class ChunkDelta {
  /** Most ops one delta may hold. */
  public static final int MAX_OPS = 65_536;

  /** Most bytes the bases of one delta may total. */
  public static final int MAX_BASE_BYTES = ChunkFrame.MAX_RAW_BYTES;

  /** Block size of the index over the bases: the shortest shared run certain to be found. */
  static final int MATCH_BYTES = 32;

  /** Largest delta sent, as a share of the chunk; past it the chunk goes whole. */
  static final double MAX_RATIO = 0.9;

  private static final int LONGEST_VARINT_BYTES = 5;
  private static final long HASH_MULTIPLIER = 0x100000001b3L;
  private static final long HASH_OUT = power(HASH_MULTIPLIER, MATCH_BYTES - 1);

  private ChunkDelta() {}

  /**
   * The delta that rebuilds {@code chunk} from {@code bases}, or null when none is worth sending
   * (bases or chunk shorter than a block, bases past {@link #MAX_BASE_BYTES}, too few bytes
   * shared).
   */
  public static byte[] encode(byte[] bases, byte[] chunk) {
    if (bases.length < MATCH_BYTES || chunk.length < MATCH_BYTES || bases.length > MAX_BASE_BYTES) {
      return null;
    }
    int[] index = index(bases);
    int bits = Integer.numberOfTrailingZeros(index.length);
    Ops out = new Ops((int) (chunk.length * MAX_RATIO));
    int last = chunk.length - MATCH_BYTES;
    int literalFrom = 0;
    int i = 0;
    long h = hash(chunk, 0);
    while (i <= last) {
      int at = index[slot(h, bits)] - 1;
      if (at >= 0 && Arrays.equals(bases, at, at + MATCH_BYTES, chunk, i, i + MATCH_BYTES)) {
        int back = 0;
        while (i - back > literalFrom
            && at - back > 0
            && bases[at - back - 1] == chunk[i - back - 1]) {
          back++;
        }
        int m =
            Arrays.mismatch(
                bases, at + MATCH_BYTES, bases.length, chunk, i + MATCH_BYTES, chunk.length);
        int forward = m >= 0 ? m : chunk.length - i - MATCH_BYTES;
        if (!out.literal(chunk, literalFrom, i - back)
            || !out.copy(at - back, back + MATCH_BYTES + forward)) {
          return null;
        }
        i += MATCH_BYTES + forward;
        literalFrom = i;
        if (i <= last) {
          h = hash(chunk, i);
        }
        continue;
      }
      if (i < last) {
        h =
            (h - (chunk[i] & 0xffL) * HASH_OUT) * HASH_MULTIPLIER
                + (chunk[i + MATCH_BYTES] & 0xffL);
      }
      i++;
    }
    return out.literal(chunk, literalFrom, chunk.length) ? out.bytes() : null;
  }

  /**
   * Rebuilds a chunk of {@code rawLength} bytes from {@code delta} (read to its end) and {@code
   * bases}.
   *
   * @throws MalformedDeltaException if the delta breaks a bound or does not make {@code rawLength}
   *     bytes
   */
  public static byte[] apply(byte[] bases, ByteBuffer delta, int rawLength)
      throws MalformedDeltaException {
    if (rawLength < 0 || rawLength > ChunkFrame.MAX_RAW_BYTES) {
      throw new MalformedDeltaException("a delta for a chunk of " + rawLength + " bytes");
    }
    byte[] out = new byte[rawLength];
    int at = 0;
    for (int ops = 0; delta.hasRemaining(); ops++) {
      if (ops == MAX_OPS) {
        throw new MalformedDeltaException("delta of more than " + MAX_OPS + " ops");
      }
      long header = readVarint(delta);
      long length = header >>> 1;
      if (length == 0 || length > rawLength - at) {
        throw new MalformedDeltaException(
            "op "
                + ops
                + " of "
                + length
                + " bytes at "
                + at
                + " passes the chunk's "
                + rawLength
                + " bytes");
      }
      int n = (int) length;
      if ((header & 1) == 0) {
        if (n > delta.remaining()) {
          throw new MalformedDeltaException(
              "literal of " + n + " bytes where the delta has " + delta.remaining() + " left");
        }
        delta.get(out, at, n);
      } else {
        long from = readVarint(delta);
        if (from + n > bases.length) {
          throw new MalformedDeltaException(
              "copy of " + n + " bytes from " + from + " passes the bases' " + bases.length);
        }
        System.arraycopy(bases, (int) from, out, at, n);
      }
      at += n;
    }
    if (at != rawLength) {
      throw new MalformedDeltaException(
          "delta rebuilds " + at + " bytes where the frame says " + rawLength);
    }
    return out;
  }

  private static long readVarint(ByteBuffer b) throws MalformedDeltaException {
    long v = 0;
    for (int k = 0; k < LONGEST_VARINT_BYTES; k++) {
      if (!b.hasRemaining()) {
        throw new MalformedDeltaException("delta ends inside a varint");
      }
      int x = b.get() & 0xff;
      v |= (long) (x & 0x7f) << (7 * k);
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new MalformedDeltaException("varint of more than " + LONGEST_VARINT_BYTES + " bytes");
  }

  /** Slot k of the result: 1 + the offset of a block of the bases whose hash falls in k, or 0. */
  private static int[] index(byte[] bases) {
    int blocks = bases.length / MATCH_BYTES;
    int[] index = new int[Integer.highestOneBit(Math.max(16, blocks)) * 4];
    int bits = Integer.numberOfTrailingZeros(index.length);
    for (int at = 0; at + MATCH_BYTES <= bases.length; at += MATCH_BYTES) {
      index[slot(hash(bases, at), bits)] = at + 1;
    }
    return index;
  }

  private static int slot(long hash, int bits) {
    return (int) ((hash * 0x9E3779B97F4A7C15L) >>> (64 - bits));
  }

  private static long hash(byte[] b, int at) {
    long h = 0;
    for (int j = 0; j < MATCH_BYTES; j++) {
      h = h * HASH_MULTIPLIER + (b[at + j] & 0xffL);
    }
    return h;
  }

  private static long power(long base, int exponent) {
    long p = 1;
    for (int k = 0; k < exponent; k++) {
      p *= base;
    }
    return p;
  }

  /** The ops being written, refused past a byte limit or {@link #MAX_OPS}. */
  private static final class Ops {
    private final int limit;
    private final byte[] buf;
    private int pos;
    private int ops;

    Ops(int limit) {
      this.limit = limit;
      this.buf = new byte[limit + 2 * LONGEST_VARINT_BYTES];
    }

    boolean literal(byte[] chunk, int from, int to) {
      int n = to - from;
      if (n == 0) {
        return true;
      }
      if (!header((long) n << 1) || pos + n > limit) {
        return false;
      }
      System.arraycopy(chunk, from, buf, pos, n);
      pos += n;
      return true;
    }

    boolean copy(int from, int n) {
      return header(((long) n << 1) | 1) && varint(from) && pos <= limit;
    }

    private boolean header(long value) {
      return ++ops <= MAX_OPS && varint(value);
    }

    private boolean varint(long value) {
      if (pos + LONGEST_VARINT_BYTES > buf.length) {
        return false;
      }
      long v = value;
      while (v >= 0x80) {
        buf[pos++] = (byte) (v | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
      return true;
    }

    byte[] bytes() {
      return Arrays.copyOf(buf, pos);
    }
  }
}
