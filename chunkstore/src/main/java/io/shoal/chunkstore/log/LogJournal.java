package io.shoal.chunkstore.log;

import io.shoal.chunkstore.AtomicFiles;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.FormatReader;
import io.shoal.chunkstore.FormatWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The open (unsealed) tail of a change log on disk: records appended since the last seal, each
 * durable when {@link #append} returns.
 *
 * <p>Format (version 1, big-endian): a header written atomically (magic {@code SHLJ}, u8 version,
 * u16-prefixed UTF-8 log name, u64 offset of its first record), then one frame per record: u32
 * length, u64 XXH64 of the record (seed {@link #SEED}), the record. A crash may tear the last
 * frames; opening keeps the frames before the first that is short or fails its checksum and cuts
 * the file there, so a record is either whole or absent.
 *
 * <p>Not thread-safe: {@link ChangeLog} owns it.
 */
final class LogJournal implements Closeable {
  static final int MAGIC = 0x5348_4C4A; // "SHLJ"
  static final int FORMAT_VERSION = 1;
  static final long SEED = 0x5348_4F41_4C4C_4F47L; // "SHOALLOG"
  private static final int FRAME_HEADER = 4 + 8;

  /**
   * Largest journal a log writes: one segment's records, each with its frame header, and the
   * header. A larger file is not this log's journal and is refused before it is read.
   */
  static final long MAX_JOURNAL_BYTES =
      LogSegment.MAX_SEGMENT_BYTES + (long) FRAME_HEADER * LogSegment.MAX_RECORDS + 4096;

  private static final XXHash64 HASH = XXHashFactory.fastestInstance().hash64();

  /** What a journal held when opened. */
  record Recovered(long firstOffset, List<byte[]> records, long cutBytes) {}

  private final Path file;
  private final FileChannel channel;

  private LogJournal(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /**
   * Replaces {@code file}, atomically, with a journal of {@code name} starting at {@code first}
   * that holds {@code records}, and opens it for appending.
   */
  static LogJournal create(Path file, String name, long first, List<byte[]> records)
      throws IOException {
    byte[] header =
        new FormatWriter(64).u32(MAGIC).u8(FORMAT_VERSION).utf8u16(name).u64(first).toByteArray();
    ByteBuffer frames = frames(records);
    byte[] all = new byte[header.length + frames.remaining()];
    System.arraycopy(header, 0, all, 0, header.length);
    frames.get(all, header.length, all.length - header.length);
    AtomicFiles.write(file, all);
    return appendTo(file);
  }

  /**
   * Reads the journal of log {@code name} at {@code file} and cuts a torn tail off the file, so
   * that appending goes on after the last whole record.
   *
   * @throws FormatException when the header is not a journal of {@code name}
   */
  static Recovered recover(Path file, String name) throws IOException {
    Recovered r = read(file, name);
    if (r.cutBytes() > 0) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(Files.size(file) - r.cutBytes());
        ch.force(true);
      }
    }
    return r;
  }

  /** Opens the journal at {@code file}, recovered, for appending. */
  static LogJournal appendTo(Path file) throws IOException {
    return new LogJournal(
        file, FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
  }

  /** The records of the journal at {@code file} up to its first torn frame. */
  static Recovered read(Path file, String name) throws IOException {
    long size = Files.size(file);
    if (size > MAX_JOURNAL_BYTES) {
      throw new FormatException(
          "log journal "
              + file
              + " is "
              + size
              + " bytes, more than any journal ("
              + MAX_JOURNAL_BYTES
              + ")");
    }
    byte[] all = Files.readAllBytes(file);
    FormatReader header = new FormatReader(all, "log journal " + file);
    header.expectMagic(MAGIC);
    header.version(1, FORMAT_VERSION, FORMAT_VERSION);
    String held = header.utf8u16("name", 4 * 128);
    if (!held.equals(name)) {
      throw header.error("holds log '" + held + "', not '" + name + "'");
    }
    long first = header.u64("first offset", Long.MAX_VALUE / 2);
    ByteBuffer b = ByteBuffer.wrap(all, header.position(), all.length - header.position());
    List<byte[]> records = new ArrayList<>();
    while (b.remaining() >= FRAME_HEADER) {
      int start = b.position();
      long length = Integer.toUnsignedLong(b.getInt());
      long sum = b.getLong();
      if (length > LogSegment.MAX_RECORD_BYTES || length > b.remaining()) {
        b.position(start);
        break;
      }
      byte[] r = new byte[(int) length];
      b.get(r);
      if (HASH.hash(r, 0, r.length, SEED) != sum) {
        b.position(start);
        break;
      }
      records.add(r);
    }
    return new Recovered(first, records, b.remaining());
  }

  /** Appends {@code records} and forces them to disk. */
  void append(List<byte[]> records) throws IOException {
    ByteBuffer out = frames(records);
    while (out.hasRemaining()) {
      channel.write(out);
    }
    channel.force(false);
  }

  private static ByteBuffer frames(List<byte[]> records) {
    long size = 0;
    for (byte[] r : records) {
      size += FRAME_HEADER + r.length;
    }
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size));
    for (byte[] r : records) {
      out.putInt(r.length).putLong(HASH.hash(r, 0, r.length, SEED)).put(r);
    }
    return out.flip();
  }

  Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
