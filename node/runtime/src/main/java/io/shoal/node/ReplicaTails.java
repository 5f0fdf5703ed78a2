package io.shoal.node;

import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.chunkstore.log.LogRecord;
import io.shoal.chunkstore.log.LogSegment;
import io.shoal.node.api.LogBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of replicated logs that their writer streamed ahead of the segments that seal them
 * ({@link LogTails}): kept in memory after a replica's sealed records, served by reads as the rest
 * of the log is, and dropped as the sealed segments that hold them are adopted. A sealed segment is
 * what counts: when it differs from the records streamed for its offsets, they are dropped and the
 * difference logged.
 *
 * <p>Bounds: {@link #MAX_BYTES_PER_LOG} per log and {@link #MAX_BYTES} in all; records past them
 * are refused, and the replica waits for its segments. Thread-safe.
 */
final class ReplicaTails {
  /** Most streamed bytes one replica keeps ahead of its sealed segments: one full segment. */
  static final long MAX_BYTES_PER_LOG = LogSegment.MAX_SEGMENT_BYTES;

  /** Most streamed bytes all replicas keep. */
  static final long MAX_BYTES = 64L << 20;

  private static final Logger log = LoggerFactory.getLogger(ReplicaTails.class);

  /** Records {@code first}, {@code first + 1}, ... of one log. */
  private static final class Tail {
    long first;
    final List<byte[]> records = new ArrayList<>();
    long bytes;

    long end() {
      return first + records.size();
    }
  }

  private final Map<String, Tail> tails = new HashMap<>(); // guarded by this
  private long bytes; // guarded by this

  /** One past the last record a read of {@code l} can return: its own, then those streamed. */
  synchronized long end(ChangeLog l) {
    long own = l.endOffset();
    Tail t = tails.get(l.name());
    return t == null ? own : Math.max(own, t.end());
  }

  /** Streamed bytes held for all replicas. */
  synchronized long bytes() {
    return bytes;
  }

  /** Whether log {@code name} has room for more streamed records. */
  synchronized boolean hasRoom(String name) {
    Tail t = tails.get(name);
    return bytes < MAX_BYTES && (t == null || t.bytes < MAX_BYTES_PER_LOG);
  }

  /**
   * Takes {@code records}, streamed by the writer from offset {@code from}, after what {@code l}
   * holds: those past the replica's end, when they continue it (the first ones may be held already,
   * sealed or streamed). Stops at the bounds. Returns how many it added; whether the replica now
   * holds them all is {@code end(l) >= from + records.size()}.
   */
  synchronized int offer(ChangeLog l, long from, List<byte[]> records) {
    long end = end(l);
    if (from > end || records.isEmpty()) {
      return 0;
    }
    Tail t = tails.get(l.name());
    if (t != null && t.end() < end) {
      drop(l.name()); // a segment adopted past them, and not yet checked against them
      t = null;
    }
    if (t == null) {
      t = new Tail();
      t.first = end;
      tails.put(l.name(), t);
    }
    int added = 0;
    int first = (int) Math.min(records.size(), end - from);
    for (byte[] r : records.subList(first, records.size())) {
      if (bytes + r.length > MAX_BYTES || t.bytes + r.length > MAX_BYTES_PER_LOG) {
        break;
      }
      t.records.add(r);
      t.bytes += r.length;
      bytes += r.length;
      added++;
    }
    if (t.records.isEmpty()) {
      tails.remove(l.name());
    }
    return added;
  }

  /**
   * {@code segment} was adopted into {@code l}: drops the streamed records it holds, or every
   * streamed record of the log if they differ from it.
   */
  synchronized void sealed(ChangeLog l, LogSegment segment) {
    Tail t = tails.get(l.name());
    if (t == null) {
      return;
    }
    long from = Math.max(t.first, segment.firstOffset());
    long to = Math.min(t.end(), segment.endOffset());
    for (long o = from; o < to; o++) {
      byte[] streamed = t.records.get((int) (o - t.first));
      byte[] held = segment.records().get((int) (o - segment.firstOffset()));
      if (!Arrays.equals(streamed, held)) {
        log.warn(
            "log {}: record {} as its writer streamed it differs from its sealed segment; dropping"
                + " the {} records streamed ahead",
            l.name(),
            o,
            t.records.size());
        drop(l.name());
        return;
      }
    }
    dropBefore(l.name(), t, l.endOffset());
  }

  private void dropBefore(String name, Tail t, long offset) {
    int n = (int) Math.min(t.records.size(), Math.max(0, offset - t.first));
    if (n == 0) {
      return;
    }
    List<byte[]> gone = t.records.subList(0, n);
    for (byte[] r : gone) {
      t.bytes -= r.length;
      bytes -= r.length;
    }
    gone.clear();
    t.first += n;
    if (t.records.isEmpty()) {
      tails.remove(name);
    }
  }

  /** Forgets every streamed record of log {@code name}: its replica was emptied or replaced. */
  synchronized void drop(String name) {
    Tail t = tails.remove(name);
    if (t != null) {
      bytes -= t.bytes;
    }
  }

  /**
   * Up to {@code max} records of {@code l} from {@code from}, within {@link
   * NodeLogs#MAX_READ_BYTES}: its own records while there are some there, else those streamed.
   */
  LogBatch batch(ChangeLog l, long from, int max) throws IOException {
    if (from < l.endOffset()) {
      List<LogRecord> read = l.read(from, max, NodeLogs.MAX_READ_BYTES);
      List<LogBatch.Entry> entries = new ArrayList<>(read.size());
      for (LogRecord r : read) {
        entries.add(new LogBatch.Entry(r.offset(), r.data()));
      }
      return batch(l, from, entries);
    }
    List<LogBatch.Entry> entries = new ArrayList<>();
    synchronized (this) {
      Tail t = tails.get(l.name());
      long bytesRead = 0;
      for (long o = Math.max(from, t == null ? from : t.first);
          t != null && o < t.end() && entries.size() < max && o == from + entries.size();
          o++) {
        byte[] r = t.records.get((int) (o - t.first));
        if (!entries.isEmpty() && bytesRead + r.length > NodeLogs.MAX_READ_BYTES) {
          break;
        }
        entries.add(new LogBatch.Entry(o, r.clone()));
        bytesRead += r.length;
      }
    }
    return batch(l, from, entries);
  }

  private LogBatch batch(ChangeLog l, long from, List<LogBatch.Entry> entries) {
    return new LogBatch(
        l.name(), l.startOffset(), end(l), l.sealedOffset(), from + entries.size(), entries);
  }
}
