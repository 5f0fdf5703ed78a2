package io.shoal.node.net;

import java.util.concurrent.CompletableFuture;

/**
 * The body of a streamed HTTP response, produced piece by piece as the client takes it. The HTTP
 * API asks for the next piece on a worker thread, only once the previous one is written and the
 * connection can take more, so a slow client holds no thread and at most one piece plus the
 * connection's write buffer ({@link HttpLimits#STREAM_HIGH_WATER_BYTES}) of memory.
 *
 * <p>Threading: {@link #next} is never called concurrently with itself; {@link #close} may be
 * called from any thread at any time, also while a piece is pending.
 */
public interface HttpBody {
  /** The empty piece: nothing yet, ask again (a chunk the reader waited for has arrived). */
  byte[] AGAIN = new byte[0];

  /**
   * The next piece: bytes the caller now owns, {@link #AGAIN}, or null at the end. Runs on a worker
   * and may block briefly (a disk read); waiting for something that is not there yet is done by
   * returning a future that completes later, not by blocking.
   */
  CompletableFuture<byte[]> next();

  /** The response ended or was cut: stop waiting and release everything. Idempotent. */
  void close();

  /** A body of {@code bytes}, given whole. */
  static HttpBody of(byte[] bytes) {
    return new HttpBody() {
      private boolean given;

      @Override
      public CompletableFuture<byte[]> next() {
        byte[] piece = given ? null : bytes;
        given = true;
        return CompletableFuture.completedFuture(piece);
      }

      @Override
      public void close() {}
    };
  }

  /** A body of no bytes. */
  static HttpBody empty() {
    return new HttpBody() {
      @Override
      public CompletableFuture<byte[]> next() {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public void close() {}
    };
  }
}
