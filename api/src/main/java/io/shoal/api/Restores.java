package io.shoal.api;

import io.shoal.node.TransferView;
import io.shoal.node.api.Written;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/** A restore in progress: waits for the node's answer and reports the fetch meanwhile. */
final class Restores {
  private Restores() {}

  /** What the node's fetches are now; asked on the watcher's thread. */
  interface TransferSource {
    List<TransferView> transfers() throws IOException;
  }

  static Restored await(
      CompletableFuture<Written> call,
      String name,
      TransferSource transfers,
      Consumer<RestoreProgress> listener,
      Watcher watcher)
      throws IOException {
    RestoreProgress[] last = {new RestoreProgress("resolving", 0, 0, 0, 0)};
    watcher.runAndWait(() -> listener.accept(last[0]));
    Written w;
    try (AutoCloseable polling = watcher.every(() -> report(name, transfers, listener, last))) {
      w = join(call);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e.getMessage(), e);
    }
    Restored r = Views.restored(w);
    watcher.runAndWait(
        () ->
            listener.accept(
                new RestoreProgress(
                    "done", r.fetchedBytes(), r.fetchedBytes(), 0, last[0].peers())));
    return r;
  }

  private static void report(
      String name,
      TransferSource transfers,
      Consumer<RestoreProgress> listener,
      RestoreProgress[] last) {
    try {
      var now = Views.progress(transfers.transfers(), name);
      if (now.isPresent()) {
        last[0] = now.get();
      } else if (last[0].stage().equals(TransferView.DATA)) {
        // The fetch is over; the node writes the files out.
        RestoreProgress p = last[0];
        last[0] = new RestoreProgress(TransferView.WRITING, p.totalBytes(), p.totalBytes(), 0, 0);
      } else {
        return;
      }
      listener.accept(last[0]);
    } catch (IOException | RuntimeException e) {
      // Progress is best effort; the restore itself reports failures.
    }
  }

  private static <T> T join(CompletableFuture<T> call) throws IOException {
    try {
      return call.get();
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while restoring");
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  /** The cause of a failed call as the one exception a caller gets. */
  static IOException unwrap(Throwable c) {
    while ((c instanceof java.util.concurrent.CompletionException
            || c instanceof UncheckedIOException
            || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof IOException io) {
      return io;
    }
    if (c instanceof IllegalArgumentException iae) {
      throw iae;
    }
    return new IOException(c.getMessage(), c);
  }
}
