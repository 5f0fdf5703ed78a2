package io.shoal.cli;

import io.shoal.chunkstore.Progress;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A byte-counting progress bar on stderr, shown only when a person is watching a terminal. */
final class ProgressBars implements Progress, AutoCloseable {
  private final String task;
  private final boolean enabled;
  private volatile ProgressBar bar;

  private ProgressBars(String task, boolean enabled) {
    this.task = task;
    this.enabled = enabled;
  }

  /** A bar for {@code task}, live only if stdout is a terminal and not {@code --quiet}. */
  @SuppressWarnings("SystemConsoleNull") // Java 17: null means no terminal, which is what we ask.
  static ProgressBars forTerminal(String task) {
    return new ProgressBars(task, System.console() != null && !LoggingOptions.isQuiet());
  }

  @Override
  public void begin(long totalBytes) {
    if (enabled) {
      bar =
          new ProgressBarBuilder()
              .setTaskName(task)
              .setInitialMax(totalBytes)
              .setUnit(" MiB", 1 << 20)
              .setStyle(ProgressBarStyle.ASCII)
              .showSpeed()
              .setUpdateIntervalMillis(200)
              .continuousUpdate()
              .build();
    }
  }

  @Override
  public void advance(long bytes) {
    ProgressBar b = bar;
    if (b != null) {
      b.stepBy(bytes);
    }
  }

  /** Sets absolute progress (for progress polled from a node). */
  void update(long done, long total, String extra) {
    if (!enabled) {
      return;
    }
    if (bar == null && total > 0) {
      begin(total);
    }
    ProgressBar b = bar;
    if (b != null) {
      if (total > 0 && b.getMax() != total) {
        b.maxHint(total);
      }
      b.stepTo(done);
      b.setExtraMessage(extra);
    }
  }

  @Override
  public void close() {
    ProgressBar b = bar;
    if (b != null) {
      b.close();
    }
  }
}
