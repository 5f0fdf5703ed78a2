package io.shoal.cli;

import io.shoal.chunkstore.Progress;
import io.shoal.node.TransferView;
import io.shoal.node.core.RateMeter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A byte-counting progress line on stderr, shown only when a person is watching a terminal:
 *
 * <pre>
 *  42% [###     ]  210.0/512.0 MiB  165.3 MiB/s 3 peers  elapsed 0:01  ETA 0:02
 * </pre>
 *
 * Done counts from what is already held (a resume starts part way), of the snapshot's size; the
 * rate is the current one ({@link RateMeter}), not bytes over the whole elapsed time; the bar shows
 * the stage when bytes are not moving ({@code metadata} first, {@code writing} at the end). Every
 * line is {@link #WIDTH_CHARS} wide, so a redraw ({@code \r}) covers the last one exactly on an
 * 80-column terminal; {@link #close} draws the last line and ends it, and nothing draws after, so
 * what the command prints next stays on screen.
 *
 * <p>Hand-made rather than me.tongfei's progressbar: that one computes the rate over the whole
 * elapsed time, sizes itself to the terminal (the width changed), has no labelled ETA or stage, and
 * redraws from its own thread, which raced the summary line. Drawing on each update (at most every
 * {@link #REDRAW_NANOS}) needs no thread. Thread-safe: updates come from worker threads.
 */
final class ProgressBars implements Progress, AutoCloseable {
  /** Characters in every line drawn: fits an 80-column terminal with the cursor. */
  static final int WIDTH_CHARS = 79;

  /** Cells of the bar between its brackets; a stage name fits in them. */
  static final int BAR_CELLS = 8;

  /** At most one redraw this often. */
  static final long REDRAW_NANOS = 200_000_000L;

  private final PrintWriter out;
  private final LongSupplier nanoClock;
  private final RateMeter rate = new RateMeter();
  private final long startNanos;
  private long lastDrawNanos;
  private boolean drawn;
  private boolean closed;
  private String stage = TransferView.METADATA;
  private long doneBytes;
  private long totalBytes;
  private int peers = -1;

  ProgressBars(PrintWriter out, LongSupplier nanoClock) {
    this.out = out;
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
  }

  /**
   * A bar on stderr if stdout is a terminal and not {@code --quiet}, else one that draws nothing.
   */
  @SuppressWarnings("SystemConsoleNull") // Java 17: null means no terminal, which is what we ask.
  static ProgressBars forTerminal() {
    PrintWriter err =
        System.console() != null && !LoggingOptions.isQuiet()
            ? new PrintWriter(System.err, false, Charset.defaultCharset())
            : null;
    return new ProgressBars(err, System::nanoTime);
  }

  @Override
  public synchronized void begin(long totalBytes) {
    this.totalBytes = totalBytes;
    this.doneBytes = 0;
    this.stage = TransferView.DATA;
    rate.restart(0, nanoClock.getAsLong());
    draw(true);
  }

  @Override
  public synchronized void advance(long bytes) {
    doneBytes += bytes;
    rate.sample(doneBytes, nanoClock.getAsLong());
    draw(false);
  }

  /** A node's fetch as {@code /transfers} shows it. */
  synchronized void update(TransferView v) {
    long now = nanoClock.getAsLong();
    if (v.totalBytes() != totalBytes) {
      rate.restart(v.doneBytes(), now); // metadata is done: what is held now is no throughput
    } else {
      rate.sample(v.doneBytes(), now);
    }
    stage = v.stage() == null ? TransferView.DATA : v.stage();
    doneBytes = v.doneBytes();
    totalBytes = v.totalBytes();
    peers = v.peers();
    draw(false);
  }

  /** Every byte of {@code totalBytes} is here; the output is being written. */
  synchronized void writing(long totalBytes) {
    this.totalBytes = totalBytes;
    this.doneBytes = totalBytes;
    this.stage = TransferView.WRITING;
    draw(true);
  }

  /** The work is done: the last line shows 100% once {@link #close} draws it. */
  synchronized void complete() {
    doneBytes = totalBytes;
    stage = TransferView.DATA;
  }

  /** Draws the last line, if any was drawn or there is a total to show, and ends it. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    if (drawn || totalBytes > 0) {
      draw(true);
    }
    if (drawn && out != null) {
      out.print('\n');
      out.flush();
    }
    closed = true;
  }

  private void draw(boolean force) {
    long now = nanoClock.getAsLong();
    if (out == null || closed || (!force && drawn && now - lastDrawNanos < REDRAW_NANOS)) {
      return;
    }
    double bytesPerSecond = rate.isKnown() ? rate.bytesPerSecond(now) : -1;
    long eta =
        stage.equals(TransferView.DATA) && totalBytes > 0
            ? RateMeter.etaSeconds(totalBytes - doneBytes, bytesPerSecond)
            : -1;
    out.print('\r');
    out.print(
        line(
            stage,
            doneBytes,
            totalBytes,
            bytesPerSecond,
            peers,
            (now - startNanos) / 1_000_000_000L,
            eta));
    out.flush();
    drawn = true;
    lastDrawNanos = now;
  }

  /**
   * One line, exactly {@link #WIDTH_CHARS} wide.
   *
   * @param bytesPerSecond negative while unknown
   * @param peers negative when peers do not apply
   * @param etaSeconds negative while unknown
   */
  static String line(
      String stage,
      long doneBytes,
      long totalBytes,
      double bytesPerSecond,
      int peers,
      long elapsedSeconds,
      long etaSeconds) {
    boolean counting = stage.equals(TransferView.DATA) && totalBytes > 0;
    int percent = totalBytes > 0 ? (int) Math.min(100, doneBytes * 100 / totalBytes) : -1;
    String bar =
        counting
            ? "#".repeat(percent * BAR_CELLS / 100)
                + " ".repeat(BAR_CELLS - percent * BAR_CELLS / 100)
            : pad(stage, BAR_CELLS);
    String s =
        String.format(
            Locale.ROOT,
            "%4s [%s] %17s %12s %-8s elapsed %-5s ETA %s",
            percent < 0 ? "--%" : percent + "%",
            bar,
            totalBytes > 0 ? Human.bytesOf(doneBytes, totalBytes) : Human.bytes(doneBytes),
            bytesPerSecond < 0 ? "- B/s" : Human.rate(bytesPerSecond),
            peers < 0 ? "" : peers == 1 ? "1 peer" : peers + " peers",
            Human.clock(elapsedSeconds),
            etaSeconds < 0 ? "-" : Human.clock(etaSeconds));
    return pad(s, WIDTH_CHARS);
  }

  /** {@code s} cut or padded with spaces to {@code width}. */
  private static String pad(String s, int width) {
    return s.length() >= width ? s.substring(0, width) : s + " ".repeat(width - s.length());
  }
}
