package io.shoal.chunkstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading a pack's records without its hint, verifying each payload against its id. Two ways:
 *
 * <ul>
 *   <li>{@link #untilDamage} for the pack that was being written when the process stopped: records
 *       are appended in order and nothing after the first torn one was acknowledged (a commit's
 *       fsync covers every earlier byte), so the scan stops there and the caller cuts the tail.
 *   <li>{@link #skippingDamage} for a sealed pack whose hint is damaged: every record in it was
 *       durable, so one bad record must not cost the good ones after it (up to a whole pack).
 *       Records carry no sync marker, but each header starts with the magic {@code SHCK} and ends
 *       with a CRC32C of itself, and its payload hashes to the id it names: after a bad record the
 *       scan moves on to the next offset where all three hold. When only the payload is bad, the
 *       header (its checksum sound) says exactly where the record ends.
 * </ul>
 */
final class PackScan {
  /** Bytes read at a time while searching for the next record header after damage. */
  static final int RESYNC_WINDOW_BYTES = 1 << 20;

  /**
   * What a scan found.
   *
   * @param entries the verified records, in file order
   * @param validEnd the offset after the last verified record
   * @param tailBytes bytes after {@code validEnd}
   * @param firstDamage what was wrong with the first bad record, or null when there was none
   * @param skippedRecords damaged stretches skipped ({@link #skippingDamage} only)
   * @param skippedBytes bytes in those stretches
   */
  record Result(
      List<HintFile.Entry> entries,
      long validEnd,
      long tailBytes,
      String firstDamage,
      int skippedRecords,
      long skippedBytes) {}

  private final Pack pack;
  private final long end;
  private final ByteBuffer header = ByteBuffer.allocate(PackRecord.HEADER_BYTES);
  private ByteBuffer payload = ByteBuffer.allocate(0);
  private String problem;
  private long trustedEnd;

  private PackScan(Pack pack) {
    this.pack = pack;
    this.end = pack.size();
  }

  /** Verifies records from the start and stops at the first torn or damaged one. */
  static Result untilDamage(Pack pack) throws IOException {
    return new PackScan(pack).run(false);
  }

  /** Verifies every record, skipping damaged ones and resuming at the next sound record. */
  static Result skippingDamage(Pack pack) throws IOException {
    return new PackScan(pack).run(true);
  }

  private Result run(boolean skipDamage) throws IOException {
    List<HintFile.Entry> entries = new ArrayList<>();
    long pos = PackRecord.PACK_HEADER_BYTES;
    long validEnd = pos;
    String firstDamage = null;
    int skipped = 0;
    long skippedBytes = 0;
    while (pos < end) {
      HintFile.Entry e = recordAt(pos);
      if (e != null) {
        entries.add(e);
        pos = validEnd = e.offset() + e.length();
        continue;
      }
      if (firstDamage == null) {
        firstDamage = "record at " + pos + ": " + problem;
      }
      if (!skipDamage) {
        break;
      }
      long next = nextRecord(trustedEnd > pos ? trustedEnd : pos + 1);
      skipped++;
      skippedBytes += next - pos;
      pos = next;
    }
    return new Result(entries, validEnd, end - validEnd, firstDamage, skipped, skippedBytes);
  }

  /**
   * The verified record at {@code pos}, or null with {@link #problem} set; {@link #trustedEnd} is
   * where the record ends when its header is sound (else 0).
   */
  private HintFile.Entry recordAt(long pos) throws IOException {
    trustedEnd = 0;
    if (end - pos < PackRecord.HEADER_BYTES) {
      problem = "torn record header";
      return null;
    }
    header.clear();
    pack.read(pos, header);
    PackRecord.Header h;
    try {
      h = PackRecord.readHeader(header.flip(), pack.path() + " record at " + pos);
    } catch (FormatException e) {
      problem = e.getMessage();
      return null;
    }
    long payloadAt = pos + PackRecord.HEADER_BYTES;
    if (end - payloadAt < h.length()) {
      problem = "torn payload of chunk " + h.id();
      return null;
    }
    if (payload.capacity() < h.length()) {
      payload = ByteBuffer.allocate(h.length());
    }
    payload.clear().limit(h.length());
    pack.read(payloadAt, payload);
    if (VerifiedChunk.verify(h.id(), payload.flip()).isEmpty()) {
      problem = "payload of chunk " + h.id() + " does not match its id";
      trustedEnd = payloadAt + h.length();
      return null;
    }
    return new HintFile.Entry(h.id(), payloadAt, h.length());
  }

  /** The offset of the first sound record at or after {@code from}, or the pack's end. */
  private long nextRecord(long from) throws IOException {
    ByteBuffer window = ByteBuffer.allocate(RESYNC_WINDOW_BYTES + 3);
    for (long at = from; at < end; at += RESYNC_WINDOW_BYTES) {
      window.clear().limit((int) Math.min(window.capacity(), end - at));
      pack.read(at, window);
      window.flip();
      int candidates = Math.min(RESYNC_WINDOW_BYTES, window.limit() - 3);
      for (int i = 0; i < candidates; i++) {
        if (window.getInt(i) == PackRecord.RECORD_MAGIC && recordAt(at + i) != null) {
          return at + i;
        }
      }
    }
    return end;
  }
}
