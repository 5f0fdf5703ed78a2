package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkNotFoundException;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.FileEntry;
import io.shoal.chunkstore.snapshot.FileTable;
import io.shoal.chunkstore.snapshot.LeafCursor;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.node.net.HttpApi;
import io.shoal.node.net.HttpBody;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The read-only gateway {@code GET /snapshots/NAME[@VERSION]/PATH}: streams one file of a snapshot,
 * with {@code Range} support (RFC 9110, see {@link ByteRange}). A snapshot the node does not hold
 * yet is fetched while it is read: the reader's position is passed to the fetch so the chunks it
 * needs next come first, and each chunk is written out as soon as it is verified and visible in the
 * store. Waiting for a chunk holds no thread ({@link ChunkArrivals}); each wait is bounded by
 * {@link #CHUNK_WAIT}, and the HTTP API closes a stream that wrote nothing for its idle timeout.
 *
 * <p>A file carries a strong {@link EntityTag} (its snapshot's root and its path), answers {@code
 * If-None-Match} (304) and {@code If-Range}, and has a type by its extension ({@link MediaTypes},
 * which says why HTML is sandboxed). A directory snapshot, or a path in it ending in {@code /} or
 * naming a directory, answers its {@link SnapshotListing}. The path is read as {@link
 * GatewayTarget} says: decoded once, hostile segments refused.
 */
final class SnapshotGateway implements HttpApi.StreamHandler {
  static final String PREFIX = "/snapshots/";

  /** How long a read waits for one chunk before its stream fails. */
  static final Duration CHUNK_WAIT = Duration.ofSeconds(60);

  /** Resolves a reference to a snapshot, starting a fetch when the node lacks it. */
  interface Resolver {
    Resolved resolveAndStart(SnapshotRef ref) throws IOException;
  }

  /**
   * The snapshot a reference names.
   *
   * @param fetch the fetch started for it, which fails if it is refused or given up; null when the
   *     node holds the snapshot
   */
  record Resolved(CatalogEntry entry, CompletableFuture<?> fetch) {}

  private final ChunkStore store;
  private final SnapshotReader reader;
  private final TransferService transfers;
  private final ChunkArrivals arrivals;
  private final Resolver resolver;
  private final Duration chunkWait;

  SnapshotGateway(
      ChunkStore store,
      SnapshotReader reader,
      TransferService transfers,
      ChunkArrivals arrivals,
      Resolver resolver) {
    this.store = store;
    this.reader = reader;
    this.transfers = transfers;
    this.arrivals = arrivals;
    this.resolver = resolver;
    this.chunkWait = CHUNK_WAIT;
  }

  @Override
  public CompletableFuture<HttpApi.StreamReply> open(HttpApi.Request request, Executor worker)
      throws IOException {
    GatewayTarget target = GatewayTarget.parse(PREFIX, request.rawPath());
    Resolved resolved = resolver.resolveAndStart(target.ref());
    CatalogEntry entry = resolved.entry();
    CompletableFuture<HttpApi.StreamReply> reply =
        retrying(() -> reader.root(entry.root()), worker)
            .thenCompose(
                root ->
                    retrying(() -> reader.fileTable(root), worker)
                        .thenApply(table -> reply(request, entry, root, table, target)));
    return resolved.fetch() == null ? reply : failingWith(resolved.fetch(), reply);
  }

  /**
   * {@code reply}, or the failure of {@code fetch} if it fails first: a fetch refused (the node
   * runs its maximum) or given up answers at once instead of after {@link #chunkWait}.
   */
  private static CompletableFuture<HttpApi.StreamReply> failingWith(
      CompletableFuture<?> fetch, CompletableFuture<HttpApi.StreamReply> reply) {
    CompletableFuture<HttpApi.StreamReply> first = new CompletableFuture<>();
    reply.whenComplete(
        (r, e) -> {
          if (e != null) {
            first.completeExceptionally(e);
          } else if (!first.complete(r)) {
            r.body().close(); // too late: the fetch failed first
          }
        });
    fetch.whenComplete(
        (r, e) -> {
          if (e != null) {
            first.completeExceptionally(e);
          }
        });
    return first;
  }

  private HttpApi.StreamReply reply(
      HttpApi.Request request,
      CatalogEntry entry,
      SnapshotRoot root,
      FileTable table,
      GatewayTarget target) {
    if (!root.singleFile() && isListing(table, target)) {
      return listing(request, table, SnapshotListing.of(entry, table, target.path()));
    }
    FileEntry file;
    try {
      file = pick(root, table, target);
    } catch (NoSuchFileException e) {
      throw new CompletionException(e);
    }
    long size = file.sizeBytes();
    String tag = EntityTag.of(entry.root(), file.path());
    String type = MediaTypes.forPath(file.path());
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept-Ranges", "bytes");
    headers.put("ETag", tag);
    headers.put("X-Content-Type-Options", "nosniff");
    if (MediaTypes.isActive(type)) {
      headers.put("Content-Security-Policy", MediaTypes.SANDBOX_POLICY);
    }
    if (EntityTag.noneMatchHits(request.header("if-none-match"), tag)) {
      return new HttpApi.StreamReply(304, null, size, headers, HttpBody.empty());
    }
    String rangeHeader =
        EntityTag.rangeAllowed(request.header("if-range"), tag) ? request.header("range") : null;
    ByteRange range = ByteRange.parse(rangeHeader, size);
    if (range instanceof ByteRange.Unsatisfiable) {
      byte[] body =
          HttpApi.Response.error(416, "Range '" + rangeHeader + "' is outside " + size + " bytes")
              .body();
      headers.put("Content-Range", ByteRange.Unsatisfiable.contentRange(size));
      headers.remove("Content-Security-Policy");
      return new HttpApi.StreamReply(
          416, "application/json", body.length, headers, HttpBody.of(body));
    }
    long start = range instanceof ByteRange.Part p ? p.start() : 0;
    long end = range instanceof ByteRange.Part p ? p.end() : size;
    HttpBody body = new GatewayBody(entry.root(), root, file.dataOffset() + start, end - start);
    if (range instanceof ByteRange.Part p) {
      headers.put("Content-Range", p.contentRange(size));
      return new HttpApi.StreamReply(206, type, end - start, headers, body);
    }
    return new HttpApi.StreamReply(200, type, size, headers, body);
  }

  /**
   * Whether {@code target} asks for a listing of a directory snapshot: the snapshot itself, a path
   * ending in {@code /}, or a directory in it.
   */
  private static boolean isListing(FileTable table, GatewayTarget target) {
    if (target.path().isEmpty() || target.directory()) {
      return true;
    }
    return table.find(target.path()).map(FileEntry::directory).orElse(false);
  }

  /** The listing as JSON, or as HTML when {@code Accept} ranks HTML first (a browser). */
  private static HttpApi.StreamReply listing(
      HttpApi.Request request, FileTable table, SnapshotListing listing) {
    String dir = listing.directory();
    if (!dir.isEmpty()
        && listing.fileCount() == 0
        && !table.find(dir).map(FileEntry::directory).orElse(false)) {
      throw new CompletionException(new NoSuchFileException(dir + "/"));
    }
    boolean html = MediaTypes.prefersHtml(request.header("accept"));
    byte[] body = html ? listing.html() : listing.json();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Vary", "Accept");
    headers.put("X-Content-Type-Options", "nosniff");
    if (html) {
      headers.put("Content-Security-Policy", MediaTypes.LISTING_POLICY);
    }
    return new HttpApi.StreamReply(
        200,
        html ? "text/html; charset=utf-8" : "application/json",
        body.length,
        headers,
        HttpBody.of(body));
  }

  private static FileEntry pick(SnapshotRoot root, FileTable table, GatewayTarget target)
      throws NoSuchFileException {
    String path = target.path();
    if (!root.singleFile()) {
      return table.find(path).orElseThrow(() -> new NoSuchFileException(path));
    }
    FileEntry only = table.entries().get(0);
    if (path.isEmpty() || (!target.directory() && only.path().equals(path))) {
      return only; // /snapshots/NAME names a single-file snapshot's one file
    }
    throw new NoSuchFileException(path + (target.directory() ? "/" : ""));
  }

  /** Something that needs chunks the fetch is still bringing. */
  interface Read<T> {
    T get() throws IOException;
  }

  /** {@code read}'s value, read again on {@code worker} as each chunk it misses arrives. */
  private <T> CompletableFuture<T> retrying(Read<T> read, Executor worker) {
    try {
      return CompletableFuture.completedFuture(read.get());
    } catch (ChunkNotFoundException e) {
      return arrival(e.id()).thenComposeAsync(v -> retrying(read, worker), worker);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Completes when the store holds {@code id}; fails after {@link #chunkWait}. */
  private CompletableFuture<Void> arrival(ChunkId id) {
    CompletableFuture<Void> arrival = arrivals.arrival(id);
    arrival.orTimeout(chunkWait.toMillis(), TimeUnit.MILLISECONDS);
    return arrival.exceptionallyCompose(
        e ->
            CompletableFuture.failedFuture(
                e instanceof TimeoutException
                    ? new IOException(
                        "chunk "
                            + id.toShortHex()
                            + " did not arrive within "
                            + chunkWait.toSeconds()
                            + " s")
                    : e));
  }

  private LeafCursor positioned(SnapshotRoot root, long offset) throws IOException {
    LeafCursor c = new LeafCursor(reader, root.data(), offset);
    if (!c.next()) {
      throw new IOException("no data at offset " + offset);
    }
    return c;
  }

  /**
   * {@code length} bytes of a snapshot's data stream from {@code offset}, one chunk's worth per
   * piece; a chunk not held yet is waited for without a thread.
   */
  private final class GatewayBody implements HttpBody {
    private final ChunkId snapshot;
    private final SnapshotRoot root;
    private final long end;
    private long at;
    private LeafCursor cursor;
    private volatile CompletableFuture<Void> waiting;
    private volatile boolean closed;

    GatewayBody(ChunkId snapshot, SnapshotRoot root, long offset, long length) {
      this.snapshot = snapshot;
      this.root = root;
      this.at = offset;
      this.end = offset + length;
    }

    @Override
    public CompletableFuture<byte[]> next() {
      if (at >= end) {
        return CompletableFuture.completedFuture(null);
      }
      try {
        return CompletableFuture.completedFuture(piece());
      } catch (ChunkNotFoundException e) {
        CompletableFuture<Void> w = arrival(e.id());
        waiting = w;
        if (closed) {
          w.cancel(false);
        }
        return w.thenApply(v -> AGAIN);
      } catch (IOException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    /** The next piece; throws ChunkNotFoundException for a chunk still on its way. */
    private byte[] piece() throws IOException {
      if (cursor == null) {
        cursor = positioned(root, at);
      }
      transfers.readerAt(snapshot, cursor.offset());
      ByteBuffer chunk = store.read(cursor.id());
      int skip = (int) Math.max(0, at - cursor.offset());
      int n = (int) Math.min(chunk.remaining() - skip, end - at);
      byte[] bytes = new byte[n];
      chunk.position(chunk.position() + skip).get(bytes);
      at += n;
      if (at < end) {
        try {
          if (!cursor.next()) {
            throw new IOException("snapshot data ended early");
          }
        } catch (ChunkNotFoundException e) {
          cursor = null; // an index node is still on its way; reposition once it lands
        }
      }
      return bytes;
    }

    @Override
    public void close() {
      closed = true;
      CompletableFuture<Void> w = waiting;
      if (w != null) {
        w.cancel(false);
      }
    }
  }
}
