package io.shoal.node;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every thread a node runs, and the order they stop in. Created together when the node starts (each
 * pool starts its threads on first use); stopped by {@link ShoalNode} in three steps, interleaved
 * with the services that use them:
 *
 * <ol>
 *   <li>the gossip driver, the HTTP API, the transfer service and the peer transport stop first
 *       (they run on the loops and submit to the pools); then {@link #stopPools} interrupts the
 *       worker, transfer, verifier and mirror pools;
 *   <li>the chunk sink writes (or abandons) its last batch on the committer; then {@link
 *       #stopCommitter};
 *   <li>{@link #stopLoops} last, waiting for the loops to finish, so that no handler runs once the
 *       store closes.
 * </ol>
 *
 * <p>The credential watcher's timer ({@link CredentialWatcher}) is its own, closed with it.
 */
final class NodeThreads {
  static final int EVENT_LOOP_THREADS = 2;
  static final int WORKER_THREADS = 2;
  static final int WORKER_QUEUE = 16;
  static final int TRANSFER_THREADS = 2;
  static final int TRANSFER_QUEUE = 4096;

  /**
   * Threads that verify (hash) received chunks and write them to the store or a direct output. Four
   * for a CPU budget of two: a one-shot fetch's direct output waits for the device ({@code
   * O_DIRECT}) on the verifier, and so did a restore's before it had writers of its own ({@link
   * #MIRROR_THREADS}); a profile had each of two verifiers blocked there half the time, with a core
   * idle. The frames they take from are bounded as before ({@link
   * ChunkReceiver#PAUSE_READING_FRAMES}).
   */
  static final int VERIFY_THREADS = 4;

  /**
   * Chunks waiting to be verified, at most. The receiver stops reading from peers long before
   * ({@link ChunkReceiver#PAUSE_READING_FRAMES}), so this is only reached by frames already decoded
   * when reading stopped; past it a reply is dropped and counted, and its request times out.
   */
  static final int VERIFY_QUEUE = 4096;

  /** Threads that write what restores fetch into their files ({@link DirectOutput#mirror}). */
  static final int MIRROR_THREADS = 2;

  /** Restores waiting for a mirror writer; past it a verifier writes the chunk itself. */
  static final int MIRROR_QUEUE = 64;

  static final long IDLE_SECONDS = 30;
  static final long LOOP_STOP_TIMEOUT_SECONDS = 2;

  /** Netty's loops: the peer transport, the HTTP API, the gossip driver, the transfer loop. */
  final EventLoopGroup loops;

  /** Blocking work of the HTTP API (publishing, listing, status); full queue: refused. */
  final ThreadPoolExecutor workers;

  /**
   * Blocking work of transfers (planning, reading packs, finishing); a full queue refuses (never
   * runs the work on the caller, which is an event loop): each submitter says what a refusal means.
   */
  final ThreadPoolExecutor transferWorkers;

  /** Verification and writing of received chunks; a full queue refuses ({@link #VERIFY_QUEUE}). */
  final ThreadPoolExecutor verifiers;

  /**
   * Writers of restores' files: one task per restore with chunks waiting ({@link #MIRROR_QUEUE}).
   */
  final ThreadPoolExecutor mirrorWriters;

  /** The chunk sink's group commits. */
  final ScheduledExecutorService committer;

  private NodeThreads(
      EventLoopGroup loops,
      ThreadPoolExecutor workers,
      ThreadPoolExecutor transferWorkers,
      ThreadPoolExecutor verifiers,
      ThreadPoolExecutor mirrorWriters,
      ScheduledExecutorService committer) {
    this.loops = loops;
    this.workers = workers;
    this.transferWorkers = transferWorkers;
    this.verifiers = verifiers;
    this.mirrorWriters = mirrorWriters;
    this.committer = committer;
  }

  static NodeThreads start() {
    return new NodeThreads(
        new MultiThreadIoEventLoopGroup(EVENT_LOOP_THREADS, NioIoHandler.newFactory()),
        new ThreadPoolExecutor(
            WORKER_THREADS,
            WORKER_THREADS,
            IDLE_SECONDS,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(WORKER_QUEUE),
            daemons("shoal-node-worker-")),
        new ThreadPoolExecutor(
            TRANSFER_THREADS,
            TRANSFER_THREADS,
            IDLE_SECONDS,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(TRANSFER_QUEUE),
            daemons("shoal-transfer-")),
        new ThreadPoolExecutor(
            VERIFY_THREADS,
            VERIFY_THREADS,
            IDLE_SECONDS,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(VERIFY_QUEUE),
            daemons("shoal-verify-")),
        new ThreadPoolExecutor(
            MIRROR_THREADS,
            MIRROR_THREADS,
            IDLE_SECONDS,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MIRROR_QUEUE),
            daemons("shoal-mirror-")),
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "shoal-store-commit");
              t.setDaemon(true);
              return t;
            }));
  }

  /** Step 1: the pools stop taking work and their running tasks are interrupted. */
  void stopPools() {
    workers.shutdownNow();
    transferWorkers.shutdownNow();
    for (Runnable waiting : verifiers.shutdownNow()) {
      if (waiting instanceof ChunkReceiver.Verification v) {
        v.abandon();
      }
    }
    for (Runnable waiting : mirrorWriters.shutdownNow()) {
      if (waiting instanceof DirectOutput.MirrorWrites w) {
        w.abandon();
      }
    }
  }

  /** Step 2, after the sink's last batch. */
  void stopCommitter() {
    committer.shutdown();
  }

  /** Step 3: the loops finish what they run, and stop. */
  void stopLoops() {
    loops.shutdownGracefully(0, LOOP_STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** {@code pool}, each task it refuses counted in {@code refused} (and still thrown). */
  static Executor counted(Executor pool, CounterDataPoint refused) {
    return task -> {
      try {
        pool.execute(task);
      } catch (RejectedExecutionException e) {
        refused.inc();
        throw e;
      }
    };
  }

  /** Daemon threads named {@code prefix} and a number from 1. */
  private static ThreadFactory daemons(String prefix) {
    AtomicInteger number = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + number.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
