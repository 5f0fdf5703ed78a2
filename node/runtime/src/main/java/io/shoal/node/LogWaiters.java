package io.shoal.node;

import io.shoal.chunkstore.log.ChangeLog;
import io.shoal.node.api.LogBatch;
import io.shoal.node.net.RetryLaterException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads of change logs that wait for records not appended yet: each is answered by the next append
 * to (or segment adopted into) its log, or with an empty batch when its wait runs out. At most
 * {@link NodeLogs#MAX_WAITERS} wait at once. Thread-safe; answers run on the timer given.
 */
final class LogWaiters {
  /** A read waiting for offset {@code from} of {@code log}. */
  private record Waiter(ChangeLog log, long from, int max, CompletableFuture<LogBatch> answer) {}

  private final ScheduledExecutorService timer;
  private final ReplicaTails reads;
  private final Map<String, List<Waiter>> waiters = new HashMap<>(); // guarded by this
  private int waiting; // guarded by this

  /** Answers from {@code reads} (a replica's records include those streamed ahead). */
  LogWaiters(ScheduledExecutorService timer, ReplicaTails reads) {
    this.timer = timer;
    this.reads = reads;
  }

  /**
   * A read of {@code log} from {@code from}, its end, waiting up to {@code wait}; null when the log
   * has records there already, to be read now. The check and the registration are one step, so no
   * append between them goes unseen: {@link #wake} takes the same lock after the append.
   *
   * @throws RetryLaterException when {@link NodeLogs#MAX_WAITERS} reads wait already
   */
  synchronized CompletableFuture<LogBatch> await(ChangeLog log, long from, int max, Duration wait)
      throws RetryLaterException {
    if (reads.end(log) > from) {
      return null;
    }
    if (waiting >= NodeLogs.MAX_WAITERS) {
      throw new RetryLaterException(NodeLogs.MAX_WAITERS + " log reads are waiting already", 1);
    }
    CompletableFuture<LogBatch> later = new CompletableFuture<>();
    Waiter w = new Waiter(log, from, max, later);
    waiters.computeIfAbsent(log.name(), k -> new ArrayList<>()).add(w);
    waiting++;
    timer.schedule(() -> expire(w), wait.toMillis(), TimeUnit.MILLISECONDS);
    return later;
  }

  /** Answers the reads waiting on {@code log}: it has new records. */
  void wake(ChangeLog log) {
    List<Waiter> woken = new ArrayList<>();
    synchronized (this) {
      List<Waiter> ws = waiters.get(log.name());
      if (ws == null) {
        return;
      }
      long end = reads.end(log);
      for (java.util.Iterator<Waiter> it = ws.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.from() < end) { // a read past the end of a replica waits on
          woken.add(w);
          it.remove();
        }
      }
      if (ws.isEmpty()) {
        waiters.remove(log.name());
      }
      waiting -= woken.size();
    }
    timer.execute(
        () -> {
          for (Waiter w : woken) {
            try {
              w.answer().complete(reads.batch(log, w.from(), w.max()));
            } catch (IOException | RuntimeException e) {
              w.answer().completeExceptionally(e);
            }
          }
        });
  }

  /** A wait ran out: answers an empty batch if the read is still waiting. */
  private void expire(Waiter w) {
    synchronized (this) {
      List<Waiter> ws = waiters.get(w.log().name());
      if (ws == null || !ws.remove(w)) {
        return;
      }
      waiting--;
      if (ws.isEmpty()) {
        waiters.remove(w.log().name());
      }
    }
    ChangeLog l = w.log();
    w.answer()
        .complete(
            new LogBatch(
                l.name(), l.startOffset(), reads.end(l), l.sealedOffset(), w.from(), List.of()));
  }

  synchronized int waiting() {
    return waiting;
  }

  /** Fails every waiting read: the node stops. */
  void close() {
    List<Waiter> pending = new ArrayList<>();
    synchronized (this) {
      waiters.values().forEach(pending::addAll);
      waiters.clear();
      waiting = 0;
    }
    for (Waiter w : pending) {
      w.answer().completeExceptionally(new IOException("the node is stopping"));
    }
  }
}
