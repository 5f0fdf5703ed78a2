package io.shoal.node;

import io.prometheus.metrics.core.metrics.Counter;
import io.shoal.chunkstore.SnapshotName;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.chunkstore.log.LogRecord;
import io.shoal.chunkstore.log.SegmentRef;
import io.shoal.node.api.LogAppended;
import io.shoal.node.api.LogBatch;
import io.shoal.node.api.LogInfo;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.NotFoundException;
import io.shoal.node.net.RetryLaterException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change logs a node holds, one directory each under {@code <data>/logs/<name>/} ({@link
 * ChangeLog}): created by the first append, sealed by age on this class's timer, read with an
 * optional wait for records not yet appended (a follow).
 *
 * <p>Bounds: at most {@link #MAX_LOGS} logs, {@link #MAX_WAITERS} waiting reads, {@link
 * #MAX_READ_RECORDS} records and {@link #MAX_READ_BYTES} bytes per read, waits up to {@link
 * #MAX_WAIT}. Thread-safe; appends block on the disk (run them off event loops), reads that wait
 * hold no thread. The timer thread is this class's own, stopped by {@link #close}.
 */
public final class NodeLogs implements AutoCloseable {
  /** The directory under the data directory that holds the logs. */
  static final String DIR = "logs";

  /** Most logs one node holds. */
  public static final int MAX_LOGS = 1024;

  /** Most reads waiting for records at once; past it a read is told to retry. */
  public static final int MAX_WAITERS = 1024;

  /** Most records one read returns. */
  public static final int MAX_READ_RECORDS = 10_000;

  /** Most record bytes one read returns (a larger single record is returned alone). */
  public static final int MAX_READ_BYTES = 4 << 20;

  /** Longest a read waits for records. */
  public static final Duration MAX_WAIT = Duration.ofSeconds(30);

  static final long SEAL_CHECK_MILLIS = 250;

  private static final Logger log = LoggerFactory.getLogger(NodeLogs.class);

  private final Path root;
  private final ChangeLog.Options options;
  private final ScheduledExecutorService timer;
  private final Map<String, ChangeLog> logs = new TreeMap<>(); // guarded by this
  private final Map<String, List<Waiter>> waiters = new HashMap<>(); // guarded by this
  private final List<Consumer<ChangeLog>> sealListeners = new ArrayList<>();
  private final Counter appended;
  private final Counter appendedBytes;
  private final Counter sealedSegments;
  private final Set<String> failed = new HashSet<>(); // the timer thread's
  private int waiting; // guarded by this
  private boolean closed; // guarded by this

  /** A read waiting for offset {@code from} of its log. */
  private record Waiter(long from, int max, CompletableFuture<LogBatch> answer) {}

  private NodeLogs(Path root, ChangeLog.Options options, NodeMetrics metrics) {
    this.root = root;
    this.options = options;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "shoal-logs");
              t.setDaemon(true);
              return t;
            });
    appended =
        Counter.builder()
            .name("shoal_log_appended_records_total")
            .help("Records appended to this node's change logs")
            .register(metrics.registry());
    appendedBytes =
        Counter.builder()
            .name("shoal_log_appended_bytes_total")
            .help("Bytes of records appended to this node's change logs")
            .register(metrics.registry());
    sealedSegments =
        Counter.builder()
            .name("shoal_log_segments_sealed_total")
            .help("Change log segments this node sealed")
            .register(metrics.registry());
    metrics.gauge("shoal_log_waiting_reads", "Log reads waiting for records", this::waitingReads);
    metrics.gauge("shoal_logs", "Change logs this node holds", this::count);
  }

  /**
   * Opens every log under {@code <dataDir>/logs} (recovering each as {@link ChangeLog#open} does)
   * and starts sealing them by age.
   *
   * @throws IOException when a log there cannot be opened, or there are more than {@link #MAX_LOGS}
   */
  static NodeLogs open(Path dataDir, ChangeLog.Options options, NodeMetrics metrics)
      throws IOException {
    NodeLogs logs = new NodeLogs(dataDir.resolve(DIR), options, metrics);
    try {
      logs.openExisting();
    } catch (IOException | RuntimeException e) {
      logs.close();
      throw e;
    }
    logs.timer.scheduleWithFixedDelay(
        logs::sealDue, SEAL_CHECK_MILLIS, SEAL_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    return logs;
  }

  private synchronized void openExisting() throws IOException {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path d : dirs) {
        String name = d.getFileName().toString();
        if (!Files.isDirectory(d) || !validName(name)) {
          log.warn("ignoring {}: not a change log (bad name or not a directory)", d);
          continue;
        }
        if (logs.size() >= MAX_LOGS) {
          throw new IOException(
              root + " holds more than " + MAX_LOGS + " logs, the most a node keeps");
        }
        logs.put(name, ChangeLog.open(d, name, options, System.nanoTime()));
      }
    }
  }

  private static boolean validName(String name) {
    try {
      SnapshotName.check(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Calls {@code l} on the thread that sealed, after each segment a log sealed. Set before use. */
  void onSealed(Consumer<ChangeLog> l) {
    sealListeners.add(l);
  }

  /**
   * Appends {@code records} to log {@code name} (created if new), durably and in order. Blocks on
   * the disk.
   *
   * @throws IllegalArgumentException for a bad name, no records, a record over 1 MiB, more than one
   *     segment holds at once, or a new log past {@link #MAX_LOGS}
   */
  public LogAppended append(String name, List<byte[]> records) throws IOException {
    ChangeLog l = openOrCreate(name);
    long sealedBefore = l.sealedOffset();
    long first = l.append(records, System.nanoTime());
    long bytes = 0;
    for (byte[] r : records) {
      bytes += r.length;
    }
    appended.inc(records.size());
    appendedBytes.inc(bytes);
    if (l.sealedOffset() != sealedBefore) {
      sealed(l);
    }
    List<Waiter> woken;
    synchronized (this) {
      woken = waiters.remove(name);
      if (woken != null) {
        waiting -= woken.size();
      }
    }
    if (woken != null) {
      timer.execute(() -> answerAll(l, woken));
    }
    return new LogAppended(name, first, records.size(), first + records.size());
  }

  private synchronized ChangeLog openOrCreate(String name) throws IOException {
    SnapshotName.check(name);
    checkOpen();
    ChangeLog l = logs.get(name);
    if (l == null) {
      if (logs.size() >= MAX_LOGS) {
        throw new IllegalArgumentException(
            "this node holds " + MAX_LOGS + " logs, the most it keeps; cannot create log " + name);
      }
      l = ChangeLog.open(root.resolve(name), name, options, System.nanoTime());
      logs.put(name, l);
      log.info("created change log {}", name);
    }
    return l;
  }

  /**
   * Up to {@code max} records of log {@code name} from offset {@code from} on (at most {@link
   * #MAX_READ_RECORDS} and {@link #MAX_READ_BYTES}). When there are none yet, waits up to {@code
   * wait} for the next append, holding no thread, and answers an empty batch if none came.
   *
   * <p>The future fails with {@link NotFoundException} when this node holds no log {@code name};
   * IllegalArgumentException for a bad name, or {@code from} before the first record held or past
   * the end; {@link RetryLaterException} when {@link #MAX_WAITERS} reads wait already.
   */
  public CompletableFuture<LogBatch> read(String name, long from, int max, Duration wait) {
    try {
      SnapshotName.check(name);
      if (max < 1) {
        throw new IllegalArgumentException("max must be at least 1, not " + max);
      }
      if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
        throw new IllegalArgumentException("wait must be 0 to " + MAX_WAIT.toSeconds() + " s");
      }
      int bounded = Math.min(max, MAX_READ_RECORDS);
      ChangeLog l;
      CompletableFuture<LogBatch> later;
      synchronized (this) {
        checkOpen();
        l = logs.get(name);
        if (l == null) {
          throw new NotFoundException("this node holds no log " + name);
        }
        long end = l.endOffset();
        if (from > end) {
          throw new IllegalArgumentException(
              "log " + name + " ends at offset " + end + "; cannot read from " + from);
        }
        if (from < end || wait.isZero()) {
          later = null;
        } else {
          if (waiting >= MAX_WAITERS) {
            throw new RetryLaterException(MAX_WAITERS + " log reads are waiting already", 1);
          }
          later = new CompletableFuture<>();
          waiters
              .computeIfAbsent(name, k -> new ArrayList<>())
              .add(new Waiter(from, bounded, later));
          waiting++;
        }
      }
      if (later == null) {
        return CompletableFuture.completedFuture(batch(l, from, bounded));
      }
      timer.schedule(() -> expire(name, later, from), wait.toMillis(), TimeUnit.MILLISECONDS);
      return later;
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static LogBatch batch(ChangeLog l, long from, int max) throws IOException {
    List<LogRecord> read = l.read(from, max, MAX_READ_BYTES);
    List<LogBatch.Entry> entries = new ArrayList<>(read.size());
    for (LogRecord r : read) {
      entries.add(new LogBatch.Entry(r.offset(), r.data()));
    }
    return new LogBatch(
        l.name(), l.startOffset(), l.endOffset(), l.sealedOffset(), from + read.size(), entries);
  }

  private static void answerAll(ChangeLog l, List<Waiter> woken) {
    for (Waiter w : woken) {
      try {
        w.answer().complete(batch(l, w.from(), w.max()));
      } catch (IOException | RuntimeException e) {
        w.answer().completeExceptionally(e);
      }
    }
  }

  /** A wait ran out: answers an empty batch if the read is still waiting. */
  private void expire(String name, CompletableFuture<LogBatch> answer, long from) {
    ChangeLog l;
    synchronized (this) {
      List<Waiter> ws = waiters.get(name);
      if (ws == null || !ws.removeIf(w -> w.answer() == answer)) {
        return;
      }
      waiting--;
      if (ws.isEmpty()) {
        waiters.remove(name);
      }
      l = logs.get(name);
    }
    answer.complete(
        new LogBatch(name, l.startOffset(), l.endOffset(), l.sealedOffset(), from, List.of()));
  }

  /** The logs this node holds, by name. */
  public synchronized List<LogInfo> list() {
    List<LogInfo> out = new ArrayList<>(logs.size());
    for (ChangeLog l : logs.values()) {
      List<SegmentRef> segments = l.sealed();
      long bytes = 0;
      for (SegmentRef s : segments) {
        bytes += s.bytes();
      }
      out.add(
          new LogInfo(
              l.name(), l.startOffset(), l.endOffset(), l.sealedOffset(), segments.size(), bytes));
    }
    return out;
  }

  private synchronized int waitingReads() {
    return waiting;
  }

  private synchronized int count() {
    return logs.size();
  }

  private synchronized List<ChangeLog> all() {
    return List.copyOf(logs.values());
  }

  /** The timer's task: seals every log whose open records are due. */
  private void sealDue() {
    long now = System.nanoTime();
    for (ChangeLog l : all()) {
      try {
        if (l.sealIfDue(now)) {
          sealed(l);
        }
      } catch (IOException e) {
        // A failed log refuses every call until the node restarts; say so once.
        if (failedOnce(l)) {
          log.warn("change log {} failed and takes no more records: {}", l.name(), e.getMessage());
        }
      }
    }
  }

  private boolean failedOnce(ChangeLog l) {
    return failed.add(l.name());
  }

  private void sealed(ChangeLog l) {
    sealedSegments.inc();
    for (Consumer<ChangeLog> s : sealListeners) {
      s.accept(l);
    }
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new IOException("the node is stopping");
    }
  }

  /** Stops the timer, answers waiting reads with what they have, and closes every log. */
  @Override
  public void close() {
    timer.shutdownNow();
    List<ChangeLog> toClose;
    List<Waiter> pending = new ArrayList<>();
    synchronized (this) {
      closed = true;
      toClose = List.copyOf(logs.values());
      waiters.values().forEach(pending::addAll);
      waiters.clear();
      waiting = 0;
    }
    for (Waiter w : pending) {
      w.answer().completeExceptionally(new IOException("the node is stopping"));
    }
    for (ChangeLog l : toClose) {
      try {
        l.close();
      } catch (IOException e) {
        log.warn("closing change log {} failed: {}", l.name(), e.getMessage());
      }
    }
  }
}
