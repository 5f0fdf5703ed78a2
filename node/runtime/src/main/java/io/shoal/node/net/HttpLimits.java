package io.shoal.node.net;

import java.time.Duration;

/**
 * Every bound of the HTTP API, each refused or enforced where it applies: the codec (request line,
 * headers), the aggregator (body), the dispatcher (streams, worker pool) and each connection (its
 * write buffer and idle timeout). docs/operations.md lists them for operators.
 */
final class HttpLimits {
  /** Largest request body; a larger one is answered 413. */
  static final int MAX_BODY_BYTES = 1024 * 1024;

  /** Longest request line; a longer one is answered 414. */
  static final int MAX_INITIAL_LINE_BYTES = 4096;

  /** Largest header block; a larger one is answered 431. */
  static final int MAX_HEADER_BYTES = 8192;

  /** Largest piece of a request body the codec hands on at once (the aggregator bounds the sum). */
  static final int MAX_CONTENT_PIECE_BYTES = 8192;

  /** Streamed responses served at once by the node; past it a stream is answered 503. */
  static final int MAX_STREAMS = 32;

  /**
   * A connection stops taking a stream's next piece past this many bytes queued for the client, and
   * takes them again below {@link #STREAM_LOW_WATER_BYTES}: a stream buffers at most this plus one
   * piece (one chunk, at most 4 MiB).
   */
  static final int STREAM_HIGH_WATER_BYTES = 256 * 1024;

  static final int STREAM_LOW_WATER_BYTES = 64 * 1024;

  /**
   * A connection that wrote nothing for this long is closed (a request answered later excepted).
   */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

  /** How soon a stream's step refused by a full worker pool is tried again. */
  static final long WORKER_RETRY_MILLIS = 20;

  private HttpLimits() {}
}
