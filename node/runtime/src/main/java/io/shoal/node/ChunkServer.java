package io.shoal.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkLocation;
import io.shoal.chunkstore.ChunkNotFoundException;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.node.core.UploadCore;
import io.shoal.node.net.ChunkDelta;
import io.shoal.node.net.ChunkFrame;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerLink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the chunks the transfer session picks to serve: zero-copy from the pack file over a plain
 * connection, read into a pooled buffer under TLS (sendfile cannot pass through it), read and
 * compressed when that pays (see {@link CompressionPolicy}), or read and encoded as a delta against
 * the older chunks the requester named when this node holds them too (see {@link ChunkDelta}).
 * Reads run off the transfer loop; each serve ends with one call of its {@link Done}, from any
 * thread.
 */
final class ChunkServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChunkServer.class);

  /** Hears how each serve ended. Any thread. */
  interface Done {
    /** {@code wireBytes} went out, 0 when nothing did. */
    void served(UploadCore.Serve s, int wireBytes);

    /** The chunk could not be read: the requester is to be told it is not found. */
    void notFound(UploadCore.Serve s);

    /** The transfer pool is full: nothing was sent; the requester is to be told to ask later. */
    void busy(UploadCore.Serve s);
  }

  private final ChunkStore store;
  private final Executor workers;
  private final CompressionPolicy compression;
  private final Faults faults;
  private final NodeMetrics metrics;
  private final Done done;
  private final PackChannels packs = new PackChannels();

  ChunkServer(
      ChunkStore store,
      Executor workers,
      CompressionPolicy compression,
      Faults faults,
      NodeMetrics metrics,
      Done done) {
    this.store = store;
    this.workers = workers;
    this.compression = compression;
    this.faults = faults;
    this.metrics = metrics;
    this.done = done;
  }

  /** Sends the chunk {@code s} names over {@code link}, an active connection. */
  void serve(UploadCore.Serve s, PeerLink link, long uploadRateBytesPerSecond) {
    boolean compressible = compression.shouldTry(s.linkBytesPerSecond(), uploadRateBytesPerSecond);
    if (!s.bases().isEmpty() && s.bases().stream().allMatch(store::contains)) {
      offload(s, () -> sendDelta(s, link, compressible));
      return;
    }
    if (!compressible && !faults.corruptServedChunks()) {
      Optional<ChunkLocation> loc = store.locate(s.id());
      if (loc.isPresent()) {
        if (link.isEncrypted()) {
          // sendfile cannot pass through TLS: read the chunk into a pooled buffer, off the loop.
          offload(s, () -> sendPooled(s, link, loc.get()));
        } else {
          link.eventLoop().execute(() -> sendRegion(s, link, loc.get()));
        }
        return;
      }
    }
    offload(s, () -> sendBytes(s, link, compressible));
  }

  /** Runs a serve's reading on the transfer pool; a full pool answers busy. */
  private void offload(UploadCore.Serve s, Runnable read) {
    try {
      workers.execute(read);
    } catch (RejectedExecutionException e) {
      done.busy(s);
    }
  }

  private void sendRegion(UploadCore.Serve s, PeerLink link, ChunkLocation loc) {
    FileChannel file;
    try {
      file = packs.open(loc.file());
    } catch (IOException e) {
      offload(s, () -> sendBytes(s, link, false));
      return;
    }
    ByteBuf header =
        ChunkFrame.header(
            link.alloc(),
            s.requestId(),
            s.id(),
            ChunkFrame.ENCODING_RAW,
            loc.length(),
            loc.length());
    int wire = header.readableBytes() + loc.length();
    link.sendChunk(header, new io.shoal.node.net.SharedFileRegion(file, loc.offset(), loc.length()))
        .addListener(f -> done.served(s, wire));
  }

  /**
   * A raw chunk read from its pack into a pooled buffer, behind its frame header in the same
   * buffer: the serving path of a TLS connection, which encrypts one contiguous frame.
   */
  private void sendPooled(UploadCore.Serve s, PeerLink link, ChunkLocation loc) {
    int headerBytes = ChunkFrame.headerBytes();
    ByteBuf frame = link.alloc().directBuffer(headerBytes + loc.length());
    ChunkFrame.writeHeader(
        frame, s.requestId(), s.id(), ChunkFrame.ENCODING_RAW, loc.length(), loc.length());
    try {
      FileChannel file = packs.open(loc.file());
      while (frame.isWritable()) {
        long at = loc.offset() + frame.writerIndex() - headerBytes;
        if (frame.writeBytes(file, at, frame.writableBytes()) < 0) {
          throw new IOException("pack " + loc.file() + " ends before chunk " + s.id());
        }
      }
    } catch (IOException e) {
      frame.release();
      sendBytes(s, link, false);
      return;
    }
    int wire = frame.readableBytes();
    link.sendFrame(frame).addListener(f -> done.served(s, wire));
  }

  /**
   * The chunk as a delta against the bases the requester named, when this node holds them all and
   * the delta is worth it ({@link ChunkDelta}); else the chunk whole.
   */
  private void sendDelta(UploadCore.Serve s, PeerLink link, boolean compress) {
    byte[] raw = read(s);
    if (raw == null) {
      return;
    }
    metrics.deltaRequests.inc();
    byte[] delta = ChunkDelta.encode(bases(s), raw);
    if (delta == null) {
      sendBytes(s, link, raw, compress);
      return;
    }
    if (faults.corruptServedChunks()) {
      delta[delta.length - 1] ^= 0x5a;
    }
    metrics.chunksDelta.inc();
    ByteBuf header =
        ChunkFrame.header(
            link.alloc(),
            s.requestId(),
            s.id(),
            ChunkFrame.ENCODING_DELTA,
            raw.length,
            delta.length);
    int wire = header.readableBytes() + delta.length;
    link.sendChunk(header, Unpooled.wrappedBuffer(delta)).addListener(f -> done.served(s, wire));
  }

  /** The bases {@code s} names, concatenated; empty when one is missing or they pass the bound. */
  private byte[] bases(UploadCore.Serve s) {
    try {
      byte[] out = new byte[0];
      for (ChunkId id : s.bases()) {
        ByteBuffer b = store.read(id);
        if (out.length + (long) b.remaining() > ChunkDelta.MAX_BASE_BYTES) {
          return new byte[0];
        }
        int at = out.length;
        out = Arrays.copyOf(out, at + b.remaining());
        b.get(out, at, b.remaining());
      }
      return out;
    } catch (IOException e) {
      return new byte[0]; // a base this node lacks: the chunk goes whole
    }
  }

  /** The chunk {@code s} names, or null when it cannot be read (the requester is told so). */
  private byte[] read(UploadCore.Serve s) {
    try {
      ByteBuffer b = store.read(s.id());
      byte[] raw = new byte[b.remaining()];
      b.get(raw);
      return raw;
    } catch (ChunkNotFoundException e) {
      done.notFound(s);
      return null;
    } catch (IOException e) {
      log.debug("cannot serve {}: {}", s.id(), e.toString());
      done.notFound(s);
      return null;
    }
  }

  private void sendBytes(UploadCore.Serve s, PeerLink link, boolean compress) {
    byte[] raw = read(s);
    if (raw != null) {
      sendBytes(s, link, raw, compress);
    }
  }

  private void sendBytes(UploadCore.Serve s, PeerLink link, byte[] raw, boolean compress) {
    if (faults.corruptServedChunks() && raw.length > 0) {
      raw[raw.length / 2] ^= 0x5a;
    }
    int encoding = ChunkFrame.ENCODING_RAW;
    ByteBuf payload = Unpooled.wrappedBuffer(raw);
    if (compress && compression.sampleCompresses(raw)) {
      long start = System.nanoTime();
      var lz4 = CompressionPolicy.compressor();
      byte[] out = new byte[lz4.maxCompressedLength(raw.length)];
      int n = lz4.compress(raw, 0, raw.length, out, 0, out.length);
      compression.measured(raw.length, n, System.nanoTime() - start);
      if (n <= raw.length * CompressionPolicy.MAX_RATIO) {
        encoding = ChunkFrame.ENCODING_LZ4;
        payload = Unpooled.wrappedBuffer(out, 0, n);
        metrics.chunksCompressed.inc();
      }
    }
    ByteBuf header =
        ChunkFrame.header(
            link.alloc(), s.requestId(), s.id(), encoding, raw.length, payload.readableBytes());
    int wire = header.readableBytes() + payload.readableBytes();
    link.sendChunk(header, payload).addListener(f -> done.served(s, wire));
  }

  @Override
  public void close() {
    packs.close();
  }
}
