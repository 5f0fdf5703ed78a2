package io.shoal.node;

import io.prometheus.metrics.core.metrics.Counter;
import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.node.api.LogBatch;
import io.shoal.node.core.membership.SwarmDirectory;
import io.shoal.node.net.LogTail;
import io.shoal.node.net.NotFoundException;
import io.shoal.node.net.PeerLink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the newest records of change logs from their writers to the nodes that replicate them,
 * ahead of the segments that seal them, so that a follower reads a record a round trip after it was
 * appended rather than after its segment is sealed, announced and fetched. The segments stay what a
 * replica is made of: streamed records are kept in memory ({@link ReplicaTails}), checked against
 * their segment when it arrives, and not kept across a restart.
 *
 * <p>The follower's side: every {@link #CHECK_MILLIS}, for each replica whose writer is known and
 * live, with no request outstanding, it asks the writer for the records from the replica's end
 * ({@link LogTail.Request}), and asks again as soon as a reply comes. Only a signed log names its
 * writer; in an insecure cluster no node can tell who wrote a log, so its replicas take records
 * through segments only. A reply is taken only from the writer asked, for the log and the offset
 * asked; anything else is dropped.
 *
 * <p>The writer's side: a request for a log it writes, from within {@link #SERVE_BYTES} of its end,
 * is answered with the records there within {@link LogTail}'s bounds, as soon as there are some or
 * when the request's wait runs out. A follower further behind is told to take the segments first
 * ({@link LogTail.Status#BEHIND}), so a catch-up moves segments, not records twice. At most {@link
 * #MAX_WAITING_PER_PEER} requests of one peer and {@link #MAX_WAITING} in all are held; the rest
 * are answered {@link LogTail.Status#BUSY}.
 *
 * <p>Called on Netty's loops and the logs' timer; reads of the writer's disk run on a thread of
 * this class's own, stopped by {@link #close}. Thread-safe. Its timer task is the logs' own,
 * stopped with them.
 */
final class LogTails {
  /**
   * A follower is served records from about this many bytes before the end of the log on; one
   * further behind takes the segments.
   */
  static final long SERVE_BYTES = LogTail.MAX_BYTES;

  /** How often the replicas without a request outstanding are looked at. */
  static final long CHECK_MILLIS = 100;

  /** How long the writer holds a follower's request for records. */
  static final int WAIT_MILLIS = 5_000;

  /** After a reply without records to take (behind, busy, ...): how long before asking again. */
  static final long RETRY_MILLIS = 1_000;

  /** Most requests the writer holds for one peer (one per log it follows). */
  static final int MAX_WAITING_PER_PEER = 64;

  /** Most requests the writer holds in all: half the reads that may wait on its logs. */
  static final int MAX_WAITING = NodeLogs.MAX_WAITERS / 2;

  private static final Logger log = LoggerFactory.getLogger(LogTails.class);

  /** A request outstanding for one log. */
  private record Asked(NodeId writer, String writerHex, long from, long deadlineNanos) {}

  /**
   * A log not to ask for before {@code untilNanos}, unless its replica's end moves off {@code end}.
   */
  private record Paused(long end, long untilNanos) {}

  private final NodeLogs logs;
  private final SwarmDirectory directory;
  private final BiConsumer<Endpoint, Object> send;
  private final ThreadPoolExecutor reads;
  private final Counter sent;
  private final Counter receivedBytes;
  private final Map<String, Asked> asked = new HashMap<>(); // guarded by this
  private final Map<String, Paused> paused = new HashMap<>(); // guarded by this
  private final Map<NodeId, Integer> waitingBy = new HashMap<>(); // guarded by this
  private int waiting; // guarded by this

  LogTails(NodeLogs logs, SwarmDirectory directory, BiConsumer<Endpoint, Object> send) {
    this.logs = logs;
    this.directory = directory;
    this.send = send;
    this.sent = logs.metrics().tailServed;
    this.receivedBytes = logs.metrics().tailReceivedBytes;
    // One thread reads the writer's disk for the requests held; a request holds a place in the
    // queue only while reserved, so the queue never fills.
    this.reads =
        new ThreadPoolExecutor(
            1,
            1,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_WAITING),
            r -> {
              Thread t = new Thread(r, "shoal-log-tail");
              t.setDaemon(true);
              return t;
            });
    reads.allowCoreThreadTimeOut(true);
  }

  /** Starts asking for the replicas' tails, on the logs' timer. */
  void start() {
    logs.every(CHECK_MILLIS, this::check);
  }

  /** A peer's message of the log tail: a request to serve or a reply to take. */
  void onMessage(NodeId from, PeerLink link, Object message) {
    if (message instanceof LogTail.Request r) {
      serve(from, link, r);
    } else if (message instanceof LogTail.Reply r) {
      take(from, r);
    }
  }

  /** The timer's task: asks for every replica that has no request outstanding. */
  void check() {
    Map<String, String> replicas = logs.replicas();
    synchronized (this) {
      asked.keySet().retainAll(replicas.keySet());
      paused.keySet().retainAll(replicas.keySet());
    }
    replicas.forEach(this::ask);
  }

  /** Asks {@code writerHex} for the records after replica {@code name}, unless asked already. */
  private void ask(String name, String writerHex) {
    NodeId writer;
    try {
      writer = NodeId.parse(writerHex);
    } catch (IllegalArgumentException e) {
      return; // an unsigned log: its writer is not known
    }
    Endpoint at = directory.address(writer);
    long from = logs.tailFrom(name, writerHex);
    if (at == null || from < 0) {
      return; // the writer is not live, or the replica keeps all it may ahead of its segments
    }
    long now = System.nanoTime();
    synchronized (this) {
      Asked a = asked.get(name);
      Paused p = paused.get(name);
      if ((a != null && now < a.deadlineNanos())
          || (p != null && p.end() == from && now < p.untilNanos())) {
        return;
      }
      long deadline = now + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS + RETRY_MILLIS * 5);
      asked.put(name, new Asked(writer, writerHex, from, deadline));
      paused.remove(name);
    }
    send.accept(at, new LogTail.Request(name, from, WAIT_MILLIS));
  }

  /** A writer's reply: kept if it answers the request outstanding, and the next one sent. */
  private void take(NodeId from, LogTail.Reply r) {
    Asked a;
    synchronized (this) {
      a = asked.get(r.name());
      if (a == null || !a.writer().equals(from) || a.from() != r.from()) {
        log.debug("dropping a log tail reply from {} for {}: not asked", from.shortHex(), r.name());
        return;
      }
      asked.remove(r.name());
    }
    boolean again = r.status() == LogTail.Status.RECORDS;
    if (again && !r.records().isEmpty()) {
      long bytes = 0;
      for (byte[] record : r.records()) {
        bytes += record.length;
      }
      receivedBytes.inc(bytes);
      again = logs.takeStreamed(r.name(), a.writerHex(), r.from(), r.records());
    }
    if (again) {
      ask(r.name(), a.writerHex());
      return;
    }
    if (r.status() == LogTail.Status.NOT_WRITER || r.status() == LogTail.Status.REFUSED) {
      log.debug("log {}: node {} answered {} to a tail request", r.name(), from, r.status());
    }
    long end = logs.tailFrom(r.name(), a.writerHex());
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS);
    synchronized (this) {
      paused.put(r.name(), new Paused(end, until));
    }
  }

  /** Answers a follower's request for the records of a log this node writes. */
  private void serve(NodeId peer, PeerLink link, LogTail.Request r) {
    LogTail.Status refused = check(r);
    if (refused != null) {
      link.send(new LogTail.Reply(r.name(), r.from(), refused, List.of()));
      return;
    }
    if (!reserve(peer)) {
      link.send(new LogTail.Reply(r.name(), r.from(), LogTail.Status.BUSY, List.of()));
      return;
    }
    try {
      reads.execute(
          () ->
              logs.read(r.name(), r.from(), LogTail.MAX_RECORDS, Duration.ofMillis(r.waitMillis()))
                  .whenComplete(
                      (batch, error) -> {
                        release(peer);
                        link.send(reply(r, batch, error));
                      }));
    } catch (RejectedExecutionException e) {
      release(peer);
      link.send(new LogTail.Reply(r.name(), r.from(), LogTail.Status.BUSY, List.of()));
    }
  }

  /** Stops the thread that reads for the requests held; their followers ask again elsewhen. */
  void close() {
    reads.shutdownNow();
  }

  /** Why {@code r} is not served here, or null when it is. */
  private LogTail.Status check(LogTail.Request r) {
    if (!LogNames.valid(r.name())) {
      return LogTail.Status.REFUSED;
    }
    ChangeLog own = logs.ownLog(r.name());
    if (own == null) {
      return LogTail.Status.NOT_WRITER;
    }
    if (r.from() < own.recentFrom(SERVE_BYTES)) {
      return LogTail.Status.BEHIND;
    }
    return r.from() > own.endOffset() ? LogTail.Status.REFUSED : null;
  }

  private synchronized boolean reserve(NodeId peer) {
    int mine = waitingBy.getOrDefault(peer, 0);
    if (waiting >= MAX_WAITING || mine >= MAX_WAITING_PER_PEER) {
      return false;
    }
    waitingBy.put(peer, mine + 1);
    waiting++;
    return true;
  }

  private synchronized void release(NodeId peer) {
    waitingBy.computeIfPresent(peer, (p, n) -> n > 1 ? n - 1 : null);
    waiting--;
  }

  /** The reply to {@code r}: the records read, within {@link LogTail}'s bounds, or why none. */
  private LogTail.Reply reply(LogTail.Request r, LogBatch batch, Throwable error) {
    if (error != null) {
      Throwable e = error instanceof CompletionException c ? c.getCause() : error;
      LogTail.Status s =
          e instanceof NotFoundException
              ? LogTail.Status.NOT_WRITER
              : e instanceof IllegalArgumentException
                  ? LogTail.Status.REFUSED
                  : LogTail.Status.BUSY; // too many waiting, or the node stops
      return new LogTail.Reply(r.name(), r.from(), s, List.of());
    }
    List<byte[]> records = new ArrayList<>();
    long bytes = 0;
    for (LogBatch.Entry e : batch.records()) {
      byte[] data = e.data();
      if (records.size() >= LogTail.MAX_RECORDS || bytes + data.length > LogTail.MAX_BYTES) {
        break;
      }
      records.add(data);
      bytes += data.length;
    }
    if (records.isEmpty() && !batch.records().isEmpty()) {
      return new LogTail.Reply(r.name(), r.from(), LogTail.Status.TOO_LARGE, List.of());
    }
    sent.inc(records.size());
    return new LogTail.Reply(r.name(), r.from(), LogTail.Status.RECORDS, records);
  }
}
