package io.shoal.chunkstore.log;

import io.shoal.chunkstore.AtomicFiles;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FormatException;
import io.shoal.chunkstore.SnapshotName;
import io.shoal.chunkstore.StoreFailedException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One named change log on disk: an append-only sequence of records, each durable once {@link
 * #append} returns, numbered by offset from 0. Records gather in an open journal ({@link
 * LogJournal}) and are sealed into immutable, content-addressed segments ({@link LogSegment}) when
 * the open part reaches {@code sealBytes} or {@code sealAge}, so that segments can be announced and
 * copied between nodes as chunks are. Segments wholly before an offset can be dropped ({@link
 * #dropBefore}), for instance once a snapshot covers them.
 *
 * <p>On disk, in its directory: {@code open.journal} and one file per sealed segment, {@code <first
 * offset, 20 digits>-<id hex>.seg}. A segment is written atomically before the journal is replaced
 * by an empty one, so a crash between the two leaves records both sealed and in the old journal;
 * opening keeps the sealed copy. A segment file whose bytes do not match its name is refused with
 * one clear error.
 *
 * <p>Thread-safe (one lock). One process owns a log directory at a time: the node, whose store lock
 * covers its data directory.
 */
public final class ChangeLog implements Closeable {
  static final String JOURNAL = "open.journal";

  /**
   * The prefix of the snapshot names a node publishes its logs' sealed segments under: log {@code
   * NAME} travels as snapshot {@code _log.NAME}, whose version is the log's sealed offset.
   */
  public static final String SNAPSHOT_PREFIX = "_log.";

  private static final Pattern SEGMENT = Pattern.compile("(\\d{20})-([0-9a-f]{32})\\.seg");

  /** When the open part of a log is sealed. */
  public record Options(int sealBytes, Duration sealAge) {
    /** 1 MiB or 10 s, whichever comes first. */
    public static Options defaults() {
      return new Options(1 << 20, Duration.ofSeconds(10));
    }

    public Options {
      if (sealBytes < 1 || sealBytes > LogSegment.MAX_SEGMENT_BYTES) {
        throw new IllegalArgumentException(
            "sealBytes " + sealBytes + " is outside 1.." + LogSegment.MAX_SEGMENT_BYTES);
      }
      if (sealAge.isNegative() || sealAge.isZero()) {
        throw new IllegalArgumentException("sealAge " + sealAge + " must be positive");
      }
    }
  }

  private final Path dir;
  private final String name;
  private final Options options;
  private final TreeMap<Long, SegmentRef> sealed = new TreeMap<>();
  private final List<byte[]> open = new ArrayList<>();
  private long openFirst;
  private long openBytes;
  private long openSinceNanos;
  private LogJournal journal;
  private String failure;

  private ChangeLog(Path dir, String name, Options options) {
    this.dir = dir;
    this.name = name;
    this.options = options;
  }

  /**
   * Opens (creating if needed) log {@code name} in {@code dir}, recovering from a crash: a torn
   * journal tail is cut, and records sealed before the crash are not kept twice.
   *
   * @throws FormatException when a file there is not a valid part of this log
   */
  public static ChangeLog open(Path dir, String name, Options options, long nowNanos)
      throws IOException {
    SnapshotName.check(name);
    Files.createDirectories(dir);
    ChangeLog log = new ChangeLog(dir, name, options);
    log.loadSegments();
    long end = log.sealed.isEmpty() ? 0 : log.sealed.lastEntry().getValue().endOffset();
    Path journal = dir.resolve(JOURNAL);
    if (Files.exists(journal)) {
      LogJournal.Recovered r = LogJournal.recover(journal, name);
      if (r.firstOffset() > end && !log.sealed.isEmpty()) {
        throw new FormatException(
            "log "
                + name
                + ": the journal starts at "
                + r.firstOffset()
                + " but the sealed"
                + " segments end at "
                + end
                + "; records in between are missing");
      }
      long first = log.sealed.isEmpty() ? r.firstOffset() : end;
      int skip = (int) Math.min(r.records().size(), Math.max(0, end - r.firstOffset()));
      if (skip > 0 || r.firstOffset() != first) {
        // Sealed (or adopted) before a crash that kept the old journal: keep the sealed copy, and
        // start the journal where the segments end, so that its offsets stay true.
        log.journal =
            LogJournal.create(journal, name, end, r.records().subList(skip, r.records().size()));
      } else {
        log.journal = LogJournal.appendTo(journal);
      }
      log.openFirst = first;
      for (byte[] rec : r.records().subList(skip, r.records().size())) {
        log.addOpen(rec);
      }
    } else {
      log.journal = LogJournal.create(journal, name, end, List.of());
      log.openFirst = end;
    }
    log.openSinceNanos = nowNanos;
    return log;
  }

  private void loadSegments() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.seg")) {
      for (Path f : files) {
        Matcher m = SEGMENT.matcher(f.getFileName().toString());
        if (!m.matches()) {
          throw new FormatException("log " + name + ": unexpected file " + f);
        }
        LogSegment s = readSegment(f, ChunkId.parse(m.group(2)));
        if (s.firstOffset() != Long.parseLong(m.group(1)) || !s.name().equals(name)) {
          throw new FormatException("log " + name + ": segment " + f + " names another place");
        }
        sealed.put(s.firstOffset(), ref(s));
      }
    }
    long expect = -1;
    for (SegmentRef r : sealed.values()) {
      if (expect >= 0 && r.firstOffset() != expect) {
        throw new FormatException(
            "log " + name + ": sealed segments leave a gap at offset " + expect);
      }
      expect = r.endOffset();
    }
  }

  private static SegmentRef ref(LogSegment s) {
    return new SegmentRef(s.firstOffset(), s.endOffset(), s.id(), s.encodedLength());
  }

  private Path fileOf(SegmentRef r) {
    return dir.resolve(segmentFileName(r));
  }

  private static LogSegment readSegment(Path f, ChunkId id) throws IOException {
    if (Files.size(f) > LogSegment.MAX_SEGMENT_BYTES) {
      throw new FormatException("log segment " + f + " is larger than any segment");
    }
    try {
      return LogSegment.decode(Files.readAllBytes(f), id);
    } catch (FormatException e) {
      throw new FormatException(f + ": " + e.getMessage(), e);
    }
  }

  private void addOpen(byte[] record) {
    open.add(record);
    openBytes += LogSegment.recordCost(record.length);
  }

  /**
   * Appends {@code records} in order, durably, sealing first when they would not fit the open
   * segment and after when it is due; returns the offset of the first.
   *
   * @throws IllegalArgumentException when there are none, a record is too large, or together they
   *     are more than one segment holds
   * @throws StoreFailedException when an earlier write failed: the log takes nothing more until it
   *     is reopened (recovery then keeps exactly the records that were durable)
   */
  public synchronized long append(List<byte[]> records, long nowNanos) throws IOException {
    checkUsable();
    if (records.isEmpty()) {
      throw new IllegalArgumentException("nothing to append");
    }
    long bytes = 0;
    for (byte[] r : records) {
      LogSegment.checkRecord(r);
      bytes += LogSegment.recordCost(r.length);
    }
    long room = (long) LogSegment.MAX_SEGMENT_BYTES - LogSegment.headerSize(name);
    if (bytes > room || records.size() > LogSegment.MAX_RECORDS) {
      throw new IllegalArgumentException(
          records.size()
              + " records of "
              + bytes
              + " bytes are more than one append takes ("
              + room
              + " bytes, "
              + LogSegment.MAX_RECORDS
              + " records)");
    }
    if (openBytes + bytes > room || open.size() + records.size() > LogSegment.MAX_RECORDS) {
      sealOpen(nowNanos);
    }
    if (open.isEmpty()) {
      openSinceNanos = nowNanos;
    }
    try {
      journal.append(records);
    } catch (IOException e) {
      failure = "appending to log " + name + " failed: " + e.getMessage();
      throw new StoreFailedException(failure, e);
    }
    long first = openFirst + open.size();
    for (byte[] r : records) {
      addOpen(r.clone());
    }
    sealIfDue(nowNanos);
    return first;
  }

  /** Seals the open records when they reach the size or age of the options; true if it did. */
  public synchronized boolean sealIfDue(long nowNanos) throws IOException {
    checkUsable();
    boolean due =
        !open.isEmpty()
            && (openBytes >= options.sealBytes()
                || nowNanos - openSinceNanos >= options.sealAge().toNanos());
    if (due) {
      sealOpen(nowNanos);
    }
    return due;
  }

  /** Seals the open records now, if any; returns the new segment. */
  public synchronized Optional<SegmentRef> seal(long nowNanos) throws IOException {
    checkUsable();
    return open.isEmpty() ? Optional.empty() : Optional.of(sealOpen(nowNanos));
  }

  /** The file of sealed segment {@code r} (read it only while the segment is held). */
  public Path segmentFile(SegmentRef r) {
    return fileOf(r);
  }

  /** The file name of sealed segment {@code r}: {@code <first offset, 20 digits>-<id hex>.seg}. */
  public static String segmentFileName(SegmentRef r) {
    return String.format(Locale.ROOT, "%020d-%s.seg", r.firstOffset(), r.id().toHex());
  }

  /** What a segment's file name says: its first offset and its id. */
  public record SegmentName(long firstOffset, ChunkId id) {}

  /** The first offset and id that {@code fileName} gives, or empty if it names no segment. */
  public static Optional<SegmentName> parseSegmentFileName(String fileName) {
    Matcher m = SEGMENT.matcher(fileName);
    return m.matches()
        ? Optional.of(new SegmentName(Long.parseLong(m.group(1)), ChunkId.parse(m.group(2))))
        : Optional.empty();
  }

  private SegmentRef sealOpen(long nowNanos) throws IOException {
    if (open.isEmpty()) {
      return null;
    }
    LogSegment s = LogSegment.seal(name, openFirst, open);
    SegmentRef ref = ref(s);
    try {
      AtomicFiles.write(fileOf(ref), s.encoded());
      journal.close();
      journal = LogJournal.create(dir.resolve(JOURNAL), name, s.endOffset(), List.of());
    } catch (IOException e) {
      failure = "sealing log " + name + " failed: " + e.getMessage();
      throw new StoreFailedException(failure, e);
    }
    sealed.put(ref.firstOffset(), ref);
    openFirst = s.endOffset();
    open.clear();
    openBytes = 0;
    openSinceNanos = nowNanos;
    return ref;
  }

  /**
   * Adds {@code segment}, sealed by another node, as this log's next sealed segment: the replica's
   * side of replication. A log that holds no record yet starts at the segment's first offset (its
   * writer may have dropped older ones); otherwise the segment must start where this log ends.
   * Returns false, changing nothing, for a segment this log already holds.
   *
   * @throws IllegalArgumentException when the segment belongs to another log, does not start where
   *     this log ends, or this log holds records of its own not yet sealed
   */
  public synchronized boolean adopt(LogSegment segment, long nowNanos) throws IOException {
    checkUsable();
    if (!segment.name().equals(name)) {
      throw new IllegalArgumentException(
          "segment of log " + segment.name() + " offered to log " + name);
    }
    SegmentRef held = sealed.get(segment.firstOffset());
    if (held != null && held.id().equals(segment.id())) {
      return false;
    }
    if (!open.isEmpty()) {
      throw new IllegalArgumentException(
          "log " + name + " holds records of its own from offset " + openFirst);
    }
    boolean empty = sealed.isEmpty() && openFirst == 0;
    if (!empty && segment.firstOffset() != openFirst) {
      throw new IllegalArgumentException(
          "log "
              + name
              + " ends at offset "
              + openFirst
              + "; a segment starting at "
              + segment.firstOffset()
              + " does not follow it");
    }
    SegmentRef ref = ref(segment);
    try {
      AtomicFiles.write(fileOf(ref), segment.encoded());
      journal.close();
      journal = LogJournal.create(dir.resolve(JOURNAL), name, segment.endOffset(), List.of());
    } catch (IOException e) {
      failure = "adopting a segment into log " + name + " failed: " + e.getMessage();
      throw new StoreFailedException(failure, e);
    }
    sealed.put(ref.firstOffset(), ref);
    openFirst = segment.endOffset();
    openSinceNanos = nowNanos;
    return true;
  }

  /**
   * Up to {@code max} records from offset {@code from} on, in order; fewer at the end of the log.
   *
   * @throws IllegalArgumentException when {@code from} is before the first record still held
   */
  public synchronized List<LogRecord> read(long from, int max) throws IOException {
    return read(from, max, Long.MAX_VALUE);
  }

  /**
   * As {@link #read(long, int)}, stopping before the record that would take the data read past
   * {@code maxBytes}; the first record is returned whatever its size.
   */
  public synchronized List<LogRecord> read(long from, int max, long maxBytes) throws IOException {
    if (from < startOffset()) {
      throw new IllegalArgumentException(
          "log " + name + " holds records from offset " + startOffset() + ", not " + from);
    }
    Batch out = new Batch(max, maxBytes);
    long next = from;
    Map.Entry<Long, SegmentRef> e = sealed.floorEntry(from);
    while (e != null && !out.full && next < openFirst) {
      LogSegment s = readSegment(fileOf(e.getValue()), e.getValue().id());
      for (long o = next;
          o < s.endOffset() && out.add(o, s.records().get((int) (o - s.firstOffset())));
          o++) {
        next = o + 1;
      }
      e = sealed.higherEntry(e.getKey());
    }
    for (long o = Math.max(next, openFirst);
        o < endOffset() && out.add(o, open.get((int) (o - openFirst)));
        o++) {
      // added
    }
    return out.records;
  }

  /** Records read so far, within a count and a byte bound. */
  private static final class Batch {
    final List<LogRecord> records = new ArrayList<>();
    final int max;
    final long maxBytes;
    long bytes;
    boolean full;

    Batch(int max, long maxBytes) {
      this.max = max;
      this.maxBytes = maxBytes;
    }

    /** Adds the record unless a bound is reached; false (and full) when it did not. */
    boolean add(long offset, byte[] data) {
      if (full || records.size() >= max || (!records.isEmpty() && bytes + data.length > maxBytes)) {
        full = true;
        return false;
      }
      records.add(new LogRecord(offset, data));
      bytes += data.length;
      return true;
    }
  }

  /** The sealed segment {@code id}, read back and verified; empty when this log holds none. */
  public synchronized Optional<LogSegment> segment(ChunkId id) throws IOException {
    for (SegmentRef r : sealed.values()) {
      if (r.id().equals(id)) {
        return Optional.of(readSegment(fileOf(r), id));
      }
    }
    return Optional.empty();
  }

  /**
   * Deletes the sealed segments that end at or before {@code offset}; returns how many. The open
   * records and the segment holding {@code offset} stay.
   */
  public synchronized int dropBefore(long offset) throws IOException {
    int dropped = 0;
    while (!sealed.isEmpty() && sealed.firstEntry().getValue().endOffset() <= offset) {
      SegmentRef r = sealed.pollFirstEntry().getValue();
      Files.deleteIfExists(fileOf(r));
      dropped++;
    }
    if (dropped > 0) {
      AtomicFiles.syncDirectory(dir);
    }
    return dropped;
  }

  /** The sealed segments, oldest first. */
  public synchronized List<SegmentRef> sealed() {
    return List.copyOf(sealed.values());
  }

  /**
   * Where the newest records that hold about {@code maxBytes} begin: the open records, the newest
   * sealed segment, and the sealed segments before it that fit within {@code maxBytes} whole.
   */
  public synchronized long recentFrom(long maxBytes) {
    long from = openFirst;
    long bytes = openBytes;
    for (SegmentRef r : sealed.descendingMap().values()) {
      if (from != openFirst && bytes + r.bytes() > maxBytes) {
        break;
      }
      bytes += r.bytes();
      from = r.firstOffset();
    }
    return from;
  }

  /** The offset of the first record held (0 until segments are dropped). */
  public synchronized long startOffset() {
    return sealed.isEmpty() ? openFirst : sealed.firstKey();
  }

  /** One past the last record's offset: the offset the next record gets. */
  public synchronized long endOffset() {
    return openFirst + open.size();
  }

  /** One past the last sealed record's offset. */
  public synchronized long sealedOffset() {
    return openFirst;
  }

  public String name() {
    return name;
  }

  private void checkUsable() throws StoreFailedException {
    if (failure != null) {
      throw new StoreFailedException(failure + "; reopen the log", null);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    journal.close();
  }
}
