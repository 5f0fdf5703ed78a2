package io.shoal.node;

import io.netty.buffer.ByteBuf;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.IoErrors;
import io.shoal.chunkstore.VerifiedChunk;
import io.shoal.gossip.NodeId;
import io.shoal.node.net.ChunkDelta;
import io.shoal.node.net.ChunkFrame;
import io.shoal.node.net.MalformedDeltaException;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerLink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives chunk replies: on the I/O thread that read one, checks that it answers a request sent to
 * that very peer; then, on a verifier thread, decompresses it or rebuilds it from its delta
 * (against the bases the request named, read from the store), verifies the bytes against the id the
 * request named, and writes them where they belong (the store, or a direct output). Neither hashing
 * nor the disk ever runs on an event loop: a store write can wait for garbage collection ({@code
 * ChunkStore#newBatch}) for seconds. The transfer session hears only the outcome ({@link Outcome}).
 *
 * <p>Bounded: past {@link #PAUSE_READING_FRAMES} frames waiting, a connection that delivers one
 * stops reading until the verifiers are down to {@link #RESUME_READING_FRAMES} ({@link
 * ReadThrottle}); the verifier pool's queue ({@link NodeThreads#VERIFY_QUEUE}) is the hard stop.
 * Every frame, stray or not, is charged to the download limit ({@link DownloadThrottle}).
 *
 * <p>The session owns the request index; this keeps the copy the I/O threads need (which chunk and
 * which fetch a request id stands for), written on the transfer loop as requests go out. Bounded by
 * the requests in flight, which the session bounds.
 */
final class ChunkReceiver {
  private static final Logger log = LoggerFactory.getLogger(ChunkReceiver.class);

  /**
   * What a reply must answer: the chunk a request named (with the bases a delta may be against),
   * sent to {@code peer} for {@code job} at {@code sentNanos}.
   */
  private record Expected(
      FetchJob job, ChunkId id, List<ChunkId> bases, NodeId peer, long sentNanos) {}

  /**
   * Frames waiting for verification past which a connection that delivers one stops reading. The
   * bytes waiting are mostly bounded by the node's in-flight budget ({@code
   * TransferConfig#maxNodeInFlightBytes}): a request's bytes stay in flight until its reply is
   * verified, and stray replies are dropped at once. A reply whose request timed out while it
   * waited here no longer counts there, so this bounds the frames as well: with chunks of up to 4
   * MiB, 128 frames could hold 512 MiB, and the verifier pool's queue is the hard stop.
   */
  static final int PAUSE_READING_FRAMES = 128;

  /** Frames waiting at which paused connections read again. */
  static final int RESUME_READING_FRAMES = 32;

  /** Where the outcome of a reply goes; called on a verifier thread. */
  interface Outcome {
    /** A reply to {@code requestId} arrived; {@code verified} when its bytes are now kept. */
    void onReply(FetchJob job, NodeId from, long requestId, boolean verified, int wireBytes);

    /** Verified bytes could not be written: this node's failure (a full disk), not the peer's. */
    void onWriteFailed(FetchJob job, IOException why);
  }

  private final ChunkSink sink;
  private final ChunkStore store;
  private final NodeMetrics metrics;
  private final Outcome outcome;
  private final DownloadThrottle download;
  private final Map<Long, Expected> expected = new ConcurrentHashMap<>();
  private final Executor verifiers;
  private final AtomicInteger queued = new AtomicInteger();
  private final ReadThrottle<PeerLink> throttle =
      new ReadThrottle<>(
          PAUSE_READING_FRAMES, RESUME_READING_FRAMES, queued::get, PeerLink::setAutoRead);

  /**
   * @param store where the bases of a delta are read
   */
  ChunkReceiver(
      ChunkSink sink,
      ChunkStore store,
      Executor verifiers,
      DownloadThrottle download,
      NodeMetrics metrics,
      Outcome outcome) {
    this.sink = sink;
    this.store = store;
    this.download = download;
    this.verifiers = verifiers;
    this.metrics = metrics;
    this.outcome = outcome;
  }

  /** A request went out (transfer loop), for a delta against {@code bases} if not empty. */
  void requested(long requestId, FetchJob job, ChunkId id, List<ChunkId> bases, NodeId peer) {
    expected.put(requestId, new Expected(job, id, bases, peer, System.nanoTime()));
  }

  /** A request was withdrawn (transfer loop). */
  void withdrawn(long requestId) {
    expected.remove(requestId);
  }

  /** {@code job} ended (transfer loop): a late reply to one of its requests is stray. */
  void forget(FetchJob job) {
    expected.values().removeIf(e -> e.job() == job);
  }

  /**
   * A chunk frame from {@code from} over {@code link} (I/O thread): checked against its request
   * here, verified and written on a verifier thread; releases it.
   */
  void onFrame(NodeId from, PeerLink link, ChunkFrame frame) {
    download.received(link, frame.wireBytes());
    Expected p = expected.get(frame.requestId());
    if (p == null || !p.peer().equals(from)) {
      metrics.dropped("stray_chunk");
      frame.release();
      return;
    }
    expected.remove(frame.requestId());
    metrics.requestSeconds.observe((System.nanoTime() - p.sentNanos()) / 1e9);
    Verification v = new Verification(p, from, frame);
    queued.incrementAndGet();
    try {
      verifiers.execute(v);
    } catch (RejectedExecutionException e) {
      // Reading stopped long before; the request times out and goes elsewhere.
      v.abandon();
      metrics.tasksRefused.labelValues("verify").inc();
      return;
    }
    throttle.delivered(link);
  }

  /** Frames waiting for or in verification. */
  int queued() {
    return queued.get();
  }

  /** One frame's verification and writing, on a verifier thread. */
  final class Verification implements Runnable {
    private final Expected p;
    private final NodeId from;
    private final ChunkFrame frame;

    Verification(Expected p, NodeId from, ChunkFrame frame) {
      this.p = p;
      this.from = from;
      this.frame = frame;
    }

    @Override
    public void run() {
      try {
        verifyAndKeep(p, from, frame);
      } finally {
        queued.decrementAndGet();
        throttle.drained();
      }
    }

    /** Not run (the node stops, or the pool refused it): releases the frame. */
    void abandon() {
      frame.release();
      queued.decrementAndGet();
    }
  }

  private void verifyAndKeep(Expected p, NodeId from, ChunkFrame frame) {
    int wire = frame.wireBytes();
    Optional<VerifiedChunk> chunk = Optional.empty();
    IOException writeFailure = null;
    try {
      if (frame.id().equals(p.id())) {
        chunk = VerifiedChunk.verify(p.id(), payload(frame, p.bases()));
      }
      if (chunk.isPresent()) {
        writeFailure = keep(p.job(), chunk.get(), frame);
      }
    } catch (IOException | RuntimeException e) {
      log.debug("chunk {} from {} unusable: {}", frame.id(), from.shortHex(), e.toString());
    } finally {
      frame.release();
    }
    if (writeFailure != null) {
      outcome.onWriteFailed(
          p.job(),
          new IOException(
              "cannot write what arrives: " + IoErrors.describe(writeFailure), writeFailure));
      return;
    }
    if (chunk.isEmpty()) {
      metrics.badChunks.inc();
    }
    outcome.onReply(p.job(), from, frame.requestId(), chunk.isPresent(), wire);
  }

  /**
   * Writes a verified chunk where it belongs: the job's direct output for its data, else the store;
   * both for a teed job, the store first (the mirror's failure is kept for its owner, and fails
   * only the restore; its writer may write after this returns, so {@code frame}, whose bytes the
   * chunk views, is retained until then). A failure here is this node's (a full disk), never the
   * sender's.
   */
  private IOException keep(FetchJob job, VerifiedChunk chunk, ChunkFrame frame) {
    try {
      DirectOutput direct = job.direct;
      boolean tee = job.tee;
      boolean placed = direct != null && direct.places(chunk.id());
      // A restore that keeps its data afterwards leaves the chunk to its files, while they work.
      boolean deferred = placed && tee && job.keepAfter && !direct.mirrorFailed();
      if (deferred) {
        job.deferred.increment();
      } else if (!placed || tee) {
        sink.add(chunk);
      }
      if (placed && tee) {
        frame.retain();
        direct.mirror(chunk.id(), chunk.bytes(), frame::release);
      } else if (placed) {
        direct.write(chunk.id(), chunk.bytes());
      }
      return null;
    } catch (IOException e) {
      return e;
    }
  }

  /**
   * The bases a delta request named, concatenated, from this node's store (the plan found them
   * there). A base gone since is this node's loss, but the reply counts as failed all the same: the
   * chunk is asked for again whole.
   */
  private byte[] readBases(List<ChunkId> bases) throws IOException {
    ByteBuffer[] read = new ByteBuffer[bases.size()];
    long total = 0;
    for (int i = 0; i < read.length; i++) {
      read[i] = store.read(bases.get(i));
      total += read[i].remaining();
    }
    if (total > ChunkDelta.MAX_BASE_BYTES) {
      throw new IOException("bases of " + total + " bytes pass " + ChunkDelta.MAX_BASE_BYTES);
    }
    byte[] out = new byte[(int) total];
    int at = 0;
    for (ByteBuffer b : read) {
      int n = b.remaining();
      b.get(out, at, n);
      at += n;
    }
    return out;
  }

  /** The chunk's bytes, decompressed or rebuilt from its delta when the frame says so. */
  private ByteBuffer payload(ChunkFrame f, List<ChunkId> bases) throws IOException {
    ByteBuf payload = f.payload();
    if (f.encoding() == ChunkFrame.ENCODING_RAW) {
      return payload.nioBuffer();
    }
    if (f.encoding() == ChunkFrame.ENCODING_DELTA) {
      if (bases.isEmpty()) {
        throw new MalformedDeltaException("a delta answers a request for the whole chunk");
      }
      return ByteBuffer.wrap(
          ChunkDelta.apply(readBases(bases), payload.nioBuffer(), f.rawLength()));
    }
    byte[] src = new byte[payload.readableBytes()];
    payload.getBytes(payload.readerIndex(), src);
    byte[] raw = new byte[f.rawLength()];
    int n;
    try {
      n = CompressionPolicy.decompressor().decompress(src, 0, src.length, raw, 0, raw.length);
    } catch (net.jpountz.lz4.LZ4Exception e) {
      throw new IOException("bad LZ4 block", e);
    }
    if (n != raw.length) {
      throw new IOException("LZ4 block decompressed to " + n + " bytes, header says " + raw.length);
    }
    return ByteBuffer.wrap(raw);
  }
}
