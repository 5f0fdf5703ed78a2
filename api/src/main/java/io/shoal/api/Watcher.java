package io.shoal.api;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread a {@link Shoal} owns: it polls the node for subscriptions and for the progress of
 * restores, and calls their listeners. {@link #close} stops it.
 */
final class Watcher implements AutoCloseable {
  /** How often subscriptions look for new versions. */
  static final long SUBSCRIPTION_MILLIS = 200;

  /** How often a restore reports its progress. */
  static final long PROGRESS_MILLIS = 100;

  private static final Logger log = LoggerFactory.getLogger(Watcher.class);

  /** What the node knows, asked anew on every poll. */
  interface VersionSource {
    List<SnapshotVersion> versions() throws IOException;
  }

  private final ScheduledExecutorService thread;

  Watcher(String name) {
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
  }

  Subscription subscribe(String glob, Consumer<SnapshotVersion> listener, VersionSource source) {
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    Map<String, Long> seen = new HashMap<>();
    Runnable poll =
        () -> {
          List<SnapshotVersion> known;
          try {
            known = source.versions();
          } catch (IOException | RuntimeException e) {
            log.warn("subscription to '{}': cannot ask the node: {}", glob, e.getMessage());
            return;
          }
          for (SnapshotVersion v : known) { // newest first per name
            if (matcher.matches(Path.of(v.name()))
                && v.version() > seen.getOrDefault(v.name(), 0L)) {
              seen.put(v.name(), v.version());
              call(listener, v);
            }
          }
        };
    ScheduledFuture<?> task =
        thread.scheduleWithFixedDelay(poll, 0, SUBSCRIPTION_MILLIS, TimeUnit.MILLISECONDS);
    return () -> task.cancel(false);
  }

  /** Calls {@code report} every {@link #PROGRESS_MILLIS} until the returned handle is closed. */
  AutoCloseable every(Runnable report) {
    ScheduledFuture<?> task =
        thread.scheduleWithFixedDelay(
            report, PROGRESS_MILLIS, PROGRESS_MILLIS, TimeUnit.MILLISECONDS);
    return () -> task.cancel(false);
  }

  /** Runs {@code task} on this thread, after what is queued, and waits for it. */
  void runAndWait(Runnable task) {
    try {
      thread.submit(task).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException
        | java.util.concurrent.RejectedExecutionException e) {
      log.debug("listener call skipped: {}", e.getMessage());
    }
  }

  private static void call(Consumer<SnapshotVersion> listener, SnapshotVersion v) {
    try {
      listener.accept(v);
    } catch (RuntimeException e) {
      log.warn("subscriber failed on {}: {}", v.ref(), e.toString());
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
