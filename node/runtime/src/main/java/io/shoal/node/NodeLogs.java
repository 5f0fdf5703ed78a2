package io.shoal.node;

import io.shoal.chunkstore.AtomicFiles;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.chunkstore.log.LogSegment;
import io.shoal.chunkstore.log.SegmentRef;
import io.shoal.node.api.LogAppended;
import io.shoal.node.api.LogBatch;
import io.shoal.node.api.LogInfo;
import io.shoal.node.net.ConflictException;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.NotFoundException;
import io.shoal.node.net.RetryLaterException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

  /** How often open records are checked for their age: at most this, else half the seal age. */
  static final long SEAL_CHECK_MILLIS = 250;

  /** In a replica's directory: the id of the node that writes the log (hex). */
  static final String WRITER_FILE = "writer";

  private static final Logger log = LoggerFactory.getLogger(NodeLogs.class);

  private final Path root;
  private final ChangeLog.Options options;
  private final ScheduledExecutorService timer;
  private final Map<String, ChangeLog> logs = new TreeMap<>(); // guarded by this
  private final Map<String, String> writers = new HashMap<>(); // replicas' writers; guarded by this
  private final OneWriter oneWriter;
  private final LogWaiters waiters;
  private final ReplicaTails tails = new ReplicaTails();
  private final List<Consumer<ChangeLog>> sealListeners = new ArrayList<>();
  private final LogMetrics metrics;
  private final Set<String> failed = new HashSet<>(); // the timer thread's
  private boolean closed; // guarded by this

  private NodeLogs(Path root, ChangeLog.Options options, NodeMetrics metrics, String self) {
    this.root = root;
    this.oneWriter = new OneWriter(self);
    this.options = options;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "shoal-logs");
              t.setDaemon(true);
              return t;
            });
    this.waiters = new LogWaiters(timer, tails);
    this.metrics = new LogMetrics(metrics);
    metrics.gauge("shoal_log_waiting_reads", "Log reads waiting for records", waiters::waiting);
    metrics.gauge("shoal_logs", "Change logs this node holds", () -> all().size());
    metrics.gauge(
        "shoal_log_tail_held_bytes", "Bytes of records streamed ahead of segments", tails::bytes);
  }

  /**
   * Opens every log under {@code <dataDir>/logs} (recovering each as {@link ChangeLog#open} does)
   * and starts sealing them by age.
   *
   * @throws IOException when a log there cannot be opened, or there are more than {@link #MAX_LOGS}
   */
  static NodeLogs open(Path dataDir, ChangeLog.Options options, NodeMetrics metrics, String self)
      throws IOException {
    NodeLogs logs = new NodeLogs(dataDir.resolve(DIR), options, metrics, self);
    try {
      logs.openExisting();
    } catch (IOException | RuntimeException e) {
      logs.close();
      throw e;
    }
    logs.timer.scheduleWithFixedDelay(
        logs::sealDue, sealCheck(options), sealCheck(options), TimeUnit.MILLISECONDS);
    return logs;
  }

  /** The seal timer's period for {@code options}: a record waits at most half its age more. */
  static long sealCheck(ChangeLog.Options options) {
    return Math.max(5, Math.min(SEAL_CHECK_MILLIS, options.sealAge().toMillis() / 2));
  }

  private synchronized void openExisting() throws IOException {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path d : dirs) {
        String name = d.getFileName().toString();
        if (!Files.isDirectory(d) || !LogNames.valid(name)) {
          log.warn("ignoring {}: not a change log (bad name or not a directory)", d);
          continue;
        }
        if (logs.size() >= MAX_LOGS) {
          throw new IOException(
              root + " holds more than " + MAX_LOGS + " logs, the most a node keeps");
        }
        logs.put(name, ChangeLog.open(d, name, options, System.nanoTime()));
        Path writer = d.resolve(WRITER_FILE);
        if (Files.exists(writer)) {
          writers.put(name, Files.readString(writer, StandardCharsets.US_ASCII).trim());
        }
      }
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
   * @throws ConflictException when another node writes the log: this node replicates it, or the
   *     swarm announces it from another node ({@link OneWriter})
   */
  public LogAppended append(String name, List<byte[]> records) throws IOException {
    if (!holdsLog(name)) {
      oneWriter.refresh(); // a new log: first hear who else writes one of that name
    }
    ChangeLog l = openOrCreate(name);
    long sealedBefore = l.sealedOffset();
    long first = l.append(records, System.nanoTime());
    long bytes = 0;
    for (byte[] r : records) {
      bytes += r.length;
    }
    metrics.appended.inc(records.size());
    metrics.appendedBytes.inc(bytes);
    if (l.sealedOffset() != sealedBefore) {
      sealed(l);
    }
    waiters.wake(l);
    return new LogAppended(name, first, records.size(), first + records.size());
  }

  private synchronized ChangeLog openOrCreate(String name) throws IOException {
    LogNames.check(name);
    checkOpen();
    String writer = writers.get(name);
    if (writer != null) {
      throw new ConflictException(
          "log "
              + name
              + " is written by node "
              + OneWriter.shortId(writer)
              + " and replicated here; append on that node");
    }
    ChangeLog l = logs.get(name);
    oneWriter.check(name, l);
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

  /** Whether this node holds log {@code name}, its own or a replica. */
  synchronized boolean holdsLog(String name) {
    return logs.containsKey(name);
  }

  /**
   * Deletes the sealed segments of log {@code name} that end at or before {@code offset} (see
   * {@link ChangeLog#dropBefore}); returns how many.
   */
  int dropBefore(String name, long offset) throws IOException {
    ChangeLog l;
    synchronized (this) {
      l = logs.get(name);
    }
    return l == null ? 0 : l.dropBefore(offset);
  }

  /** The logs' metrics, which {@link LogTails} adds to. */
  LogMetrics metrics() {
    return metrics;
  }

  /** The one-writer rule: who else writes which log, as gossip shows it. */
  OneWriter oneWriter() {
    return oneWriter;
  }

  /** The writer of this node's replica of {@code name}; null when it holds none. */
  synchronized String writerOf(String name) {
    return writers.get(name);
  }

  /** The replicas this node holds: each log's name and the id (hex) of the node that writes it. */
  synchronized Map<String, String> replicas() {
    return Map.copyOf(writers);
  }

  /**
   * Where the next record streamed for replica {@code name} would go, or -1 when this node holds no
   * replica of it written by {@code writer}, or keeps as many streamed records as it may.
   */
  synchronized long tailFrom(String name, String writer) {
    ChangeLog l = logs.get(name);
    boolean ok = l != null && writer.equals(writers.get(name)) && tails.hasRoom(name);
    return ok ? tails.end(l) : -1;
  }

  /**
   * Keeps {@code records}, which {@code writer} streamed for its log {@code name} from {@code
   * from}, ahead of this node's replica's sealed segments, and wakes the reads that wait for them.
   * Returns whether the replica now holds them all: false when they do not continue it, or when the
   * bounds stopped them.
   */
  boolean takeStreamed(String name, String writer, long from, List<byte[]> records) {
    ChangeLog l;
    synchronized (this) {
      l = writer.equals(writers.get(name)) ? logs.get(name) : null;
    }
    if (l == null) {
      return false;
    }
    int added = tails.offer(l, from, records);
    if (added > 0) {
      metrics.tailReceived.inc(added);
      waiters.wake(l);
    }
    return tails.end(l) >= from + records.size();
  }

  /** Runs {@code task} every {@code millis} on this class's timer, until {@link #close}. */
  void every(long millis, Runnable task) {
    timer.scheduleWithFixedDelay(task, millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Up to {@code max} records of log {@code name} from offset {@code from} on (at most {@link
   * #MAX_READ_RECORDS} and {@link #MAX_READ_BYTES}). When there are none yet, waits up to {@code
   * wait} for the next append, holding no thread, and answers an empty batch if none came.
   *
   * <p>The future fails with {@link NotFoundException} when this node holds no log {@code name};
   * IllegalArgumentException for a bad name, or {@code from} before the first record held, or past
   * the end of a log this node writes. On a replica, a read past the end waits as one at the end
   * does: the reader's state came from a snapshot newer than the segments that reached this node so
   * far, and the records it needs are on their way. {@link RetryLaterException} when {@link
   * #MAX_WAITERS} reads wait already.
   */
  public CompletableFuture<LogBatch> read(String name, long from, int max, Duration wait) {
    try {
      LogNames.check(name);
      if (max < 1) {
        throw new IllegalArgumentException("max must be at least 1, not " + max);
      }
      if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
        throw new IllegalArgumentException("wait must be 0 to " + MAX_WAIT.toSeconds() + " s");
      }
      int bounded = Math.min(max, MAX_READ_RECORDS);
      ChangeLog l;
      synchronized (this) {
        checkOpen();
        l = logs.get(name);
      }
      if (l == null) {
        throw new NotFoundException("this node holds no log " + name);
      }
      long end = l.endOffset();
      if (from > end && ownLog(name) != null) {
        throw new IllegalArgumentException(
            "log " + name + " ends at offset " + end + "; cannot read from " + from);
      }
      CompletableFuture<LogBatch> later =
          wait.isZero() ? null : waiters.await(l, from, bounded, wait);
      return later != null
          ? later
          : CompletableFuture.completedFuture(tails.batch(l, from, bounded));
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Takes {@code segment} of log {@code name}, written by node {@code writer}, into this node's
   * replica of the log (created if new, and replaced if another node wrote it so far) as its next
   * sealed segment, and wakes the reads that wait for it. Returns false for a segment held already
   * or wholly before what the replica holds.
   *
   * @throws IllegalArgumentException when this node writes log {@code name} itself, or the segment
   *     does not continue the replica (see {@link #resetReplica})
   */
  boolean adopt(String name, String writer, LogSegment segment) throws IOException {
    ChangeLog l = replica(name, writer, false);
    if (l.endOffset() > l.startOffset() && segment.endOffset() <= l.startOffset()) {
      return false; // before what the replica holds: dropped here already
    }
    boolean added = l.adopt(segment, System.nanoTime());
    if (added) {
      tails.sealed(l, segment);
      waiters.wake(l);
    }
    return added;
  }

  /** Empties this node's replica of {@code name}, to take {@code writer}'s segments afresh. */
  void resetReplica(String name, String writer) throws IOException {
    replica(name, writer, true);
  }

  /**
   * Whether this node's replica of {@code name} holds sealed segment {@code id} at {@code first}.
   */
  synchronized boolean holds(String name, long first, ChunkId id) {
    ChangeLog l = logs.get(name);
    return l != null
        && l.sealed().stream().anyMatch(r -> r.firstOffset() == first && r.id().equals(id));
  }

  /** This node's replica of {@code name}, written by {@code writer}; emptied when {@code reset}. */
  private synchronized ChangeLog replica(String name, String writer, boolean reset)
      throws IOException {
    LogNames.check(name);
    checkOpen();
    ChangeLog l = logs.get(name);
    if (l != null && !writers.containsKey(name)) {
      throw new IllegalArgumentException(
          "this node writes log " + name + " itself; node " + writer + " writes it too");
    }
    Path dir = root.resolve(name);
    if (l == null && logs.size() >= MAX_LOGS) {
      throw new IllegalArgumentException(
          "this node holds " + MAX_LOGS + " logs, the most it keeps; cannot replicate log " + name);
    }
    if (l != null && (reset || !writer.equals(writers.get(name)))) {
      l.close();
      logs.remove(name);
      tails.drop(name);
      deleteFiles(dir);
      l = null;
    }
    if (l == null) {
      Files.createDirectories(dir);
      AtomicFiles.write(dir.resolve(WRITER_FILE), writer.getBytes(StandardCharsets.US_ASCII));
      l = ChangeLog.open(dir, name, options, System.nanoTime());
      logs.put(name, l);
      writers.put(name, writer);
      log.info("replicating change log {} written by node {}", name, writer);
    }
    return l;
  }

  private static void deleteFiles(Path dir) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        Files.delete(f);
      }
    }
  }

  /** The logs this node writes (not replicas), each with its sealed segments. */
  synchronized List<ChangeLog> own() {
    List<ChangeLog> out = new ArrayList<>();
    for (ChangeLog l : logs.values()) {
      if (!writers.containsKey(l.name())) {
        out.add(l);
      }
    }
    return out;
  }

  /** Log {@code name} if this node writes it, else null. */
  synchronized ChangeLog ownLog(String name) {
    return writers.containsKey(name) ? null : logs.get(name);
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
    metrics.sealedSegments.inc();
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
    synchronized (this) {
      closed = true;
      toClose = List.copyOf(logs.values());
    }
    waiters.close();
    for (ChangeLog l : toClose) {
      try {
        l.close();
      } catch (IOException e) {
        log.warn("closing change log {} failed: {}", l.name(), e.getMessage());
      }
    }
  }
}
