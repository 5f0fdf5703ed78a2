package io.shoal.node.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AbstractReferenceCounted;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FastCdc;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.HashAlgorithm;

/**
 * A chunk's bytes on the wire, beside the control messages rather than through Kryo, so they can be
 * sent straight from the store's file (zero-copy) or LZ4-compressed.
 *
 * <pre>
 * +------------+--------+----------------+-----+--------+----------+------------+-----------+
 * | len u32    | kind 2 | request id u64 | alg | digest | encoding | raw length | payload   |
 * |            |   1    |       8        |  1  |   16   |    1     |    u32     | len - 31  |
 * +------------+--------+----------------+-----+--------+----------+------------+-----------+
 * encoding 0: the payload is the chunk; 1: LZ4 block of the chunk (raw length before it);
 *          2: a delta against the bases the request named ({@link ChunkDelta}; version 4)
 * </pre>
 *
 * A decoded frame owns a retained slice of its payload: release it once consumed.
 */
public final class ChunkFrame extends AbstractReferenceCounted {
  static final int KIND = 2;
  static final int HEADER_BYTES = 31;
  public static final int ENCODING_RAW = 0;
  public static final int ENCODING_LZ4 = 1;
  public static final int ENCODING_DELTA = 2;

  /** Largest chunk a frame may carry, uncompressed. */
  public static final int MAX_RAW_BYTES = FastCdc.LIMIT_MAX_BYTES;

  private final long requestId;
  private final ChunkId id;
  private final int encoding;
  private final int rawLength;
  private final ByteBuf payload;

  ChunkFrame(long requestId, ChunkId id, int encoding, int rawLength, ByteBuf payload) {
    this.requestId = requestId;
    this.id = id;
    this.encoding = encoding;
    this.rawLength = rawLength;
    this.payload = payload;
  }

  public long requestId() {
    return requestId;
  }

  public ChunkId id() {
    return id;
  }

  public int encoding() {
    return encoding;
  }

  public int rawLength() {
    return rawLength;
  }

  public ByteBuf payload() {
    return payload;
  }

  /** Frame bytes on the wire, length field included. */
  public int wireBytes() {
    return 4 + HEADER_BYTES + payload.readableBytes();
  }

  /** The header (length field included) for a payload of {@code payloadLength} bytes. */
  public static ByteBuf header(
      ByteBufAllocator alloc,
      long requestId,
      ChunkId id,
      int encoding,
      int rawLength,
      int payloadLength) {
    return writeHeader(
        alloc.buffer(4 + HEADER_BYTES), requestId, id, encoding, rawLength, payloadLength);
  }

  /** Bytes of a frame's length field and header, before its payload. */
  public static int headerBytes() {
    return 4 + HEADER_BYTES;
  }

  /** Writes a frame's length field and header into {@code b}; the payload follows there. */
  public static ByteBuf writeHeader(
      ByteBuf b, long requestId, ChunkId id, int encoding, int rawLength, int payloadLength) {
    b.writeInt(HEADER_BYTES + payloadLength)
        .writeByte(KIND)
        .writeLong(requestId)
        .writeByte(id.algorithm().code())
        .writeLong(id.high())
        .writeLong(id.low())
        .writeByte(encoding)
        .writeInt(rawLength);
    return b;
  }

  /** Decodes a frame body whose kind byte has been read. */
  static ChunkFrame decode(ByteBuf body) {
    if (body.readableBytes() < HEADER_BYTES - 1) {
      throw new MalformedMessageException(
          "chunk frame of " + (body.readableBytes() + 1) + " bytes is shorter than its header");
    }
    long requestId = body.readLong();
    HashAlgorithm alg;
    try {
      alg = HashAlgorithm.fromCode(body.readUnsignedByte());
    } catch (FormatException e) {
      throw new MalformedMessageException(e.getMessage());
    }
    ChunkId id = new ChunkId(alg, body.readLong(), body.readLong());
    int encoding = body.readUnsignedByte();
    long raw = body.readUnsignedInt();
    int payload = body.readableBytes();
    if (encoding != ENCODING_RAW && encoding != ENCODING_LZ4 && encoding != ENCODING_DELTA) {
      throw new MalformedMessageException("unknown chunk encoding " + encoding);
    }
    if (raw > MAX_RAW_BYTES) {
      throw new MalformedMessageException("chunk of " + raw + " bytes exceeds " + MAX_RAW_BYTES);
    }
    if (encoding == ENCODING_RAW && payload != raw) {
      throw new MalformedMessageException(
          "raw chunk payload of " + payload + " bytes, header says " + raw);
    }
    return new ChunkFrame(requestId, id, encoding, (int) raw, body.readRetainedSlice(payload));
  }

  @Override
  protected void deallocate() {
    payload.release();
  }

  @Override
  public ChunkFrame touch(Object hint) {
    payload.touch(hint);
    return this;
  }
}
