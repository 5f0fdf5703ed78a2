package io.shoal.node;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkNotFoundException;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.SnapshotRef;
import io.shoal.chunkstore.snapshot.FileEntry;
import io.shoal.chunkstore.snapshot.FileTable;
import io.shoal.chunkstore.snapshot.LeafCursor;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.node.net.HttpApi;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Map;

/**
 * The read-only gateway {@code GET /snapshots/NAME[@VERSION]/PATH}: streams one file of a snapshot,
 * with {@code Range} support. A snapshot the node does not hold yet is fetched while it is read:
 * the reader's position is passed to the fetch so the chunks it needs next come first, and each
 * chunk is written out as soon as it is verified and visible in the store.
 */
final class SnapshotGateway implements HttpApi.StreamHandler {
  static final String PREFIX = "/snapshots/";
  static final Duration CHUNK_WAIT = Duration.ofMinutes(2);

  /** Resolves a reference to a snapshot, starting a fetch when the node lacks it. */
  interface Resolver {
    CatalogEntry resolveAndStart(SnapshotRef ref) throws IOException;
  }

  private final ChunkStore store;
  private final SnapshotReader reader;
  private final TransferService transfers;
  private final ChunkArrivals arrivals;
  private final Resolver resolver;

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
  }

  @Override
  public void stream(HttpApi.Request request, HttpApi.Stream out) throws Exception {
    String rest = request.path().substring(PREFIX.length());
    int slash = rest.indexOf('/');
    String refText =
        URLDecoder.decode(slash < 0 ? rest : rest.substring(0, slash), StandardCharsets.UTF_8);
    String path =
        slash < 0 ? "" : URLDecoder.decode(rest.substring(slash + 1), StandardCharsets.UTF_8);
    CatalogEntry entry = resolver.resolveAndStart(SnapshotRef.parse(refText));
    SnapshotRoot root = waitFor(() -> reader.root(entry.root()));
    FileTable table = waitFor(() -> reader.fileTable(root));
    FileEntry file = pick(root, table, path);
    long size = file.sizeBytes();
    long[] range = range(HttpApi.requestHeader(out, "range"), size);
    long start = range[0];
    long length = range[1] - range[0];
    Map<String, String> headers =
        range[2] == 1
            ? Map.of(
                "Accept-Ranges",
                "bytes",
                "Content-Range",
                "bytes " + start + "-" + (range[1] - 1) + "/" + size)
            : Map.of("Accept-Ranges", "bytes");
    out.start(range[2] == 1 ? 206 : 200, "application/octet-stream", length, headers);
    copy(entry.root(), root, file.dataOffset() + start, length, out);
  }

  private static FileEntry pick(SnapshotRoot root, FileTable table, String path)
      throws NoSuchFileException {
    if (path.isEmpty()) {
      if (root.singleFile()) {
        return table.entries().get(0);
      }
      throw new IllegalArgumentException(
          root.label() + " is a directory snapshot: name a file in it");
    }
    FileEntry e =
        root.singleFile()
            ? table.entries().get(0)
            : table.find(path).orElseThrow(() -> new NoSuchFileException(path));
    if (root.singleFile() && !e.path().equals(path)) {
      throw new NoSuchFileException(path);
    }
    if (e.directory()) {
      throw new IllegalArgumentException(path + " is a directory");
    }
    return e;
  }

  /** Copies {@code length} bytes of the data stream from {@code offset}, waiting for chunks. */
  private void copy(
      io.shoal.chunkstore.ChunkId snapshot,
      SnapshotRoot root,
      long offset,
      long length,
      HttpApi.Stream out)
      throws IOException {
    long at = offset;
    long end = offset + length;
    while (at < end) {
      long from = at;
      LeafCursor cursor = waitFor(() -> positioned(root, from));
      boolean restart = false;
      do {
        transfers.readerAt(snapshot, cursor.offset());
        arrivals.await(cursor.id(), CHUNK_WAIT);
        ByteBuffer chunk = store.read(cursor.id());
        int skip = (int) Math.max(0, at - cursor.offset());
        int n = (int) Math.min(chunk.remaining() - skip, end - at);
        byte[] bytes = new byte[n];
        chunk.position(chunk.position() + skip).get(bytes);
        out.write(bytes, 0, n);
        at += n;
        if (at >= end) {
          break;
        }
        try {
          if (!cursor.next()) {
            throw new IOException("snapshot data ended early");
          }
        } catch (ChunkNotFoundException e) {
          restart = true; // an index node is still on its way; reposition once it lands
        }
      } while (!restart);
    }
  }

  private LeafCursor positioned(SnapshotRoot root, long offset) throws IOException {
    LeafCursor c = new LeafCursor(reader, root.data(), offset);
    if (!c.next()) {
      throw new IOException("no data at offset " + offset);
    }
    return c;
  }

  /** Something that needs chunks the fetch is still bringing. */
  interface Read<T> {
    T get() throws IOException;
  }

  /** Retries {@code read} as the chunks it misses arrive. */
  private <T> T waitFor(Read<T> read) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        return read.get();
      } catch (ChunkNotFoundException e) {
        if (attempt > 100_000) {
          throw e;
        }
        arrivals.await(e.id(), CHUNK_WAIT);
      }
    }
  }

  /**
   * Parses a single {@code bytes=a-b} range: returns {start, end (exclusive), partial?1:0}.
   *
   * @throws IllegalArgumentException for a range outside the file or several ranges
   */
  static long[] range(String header, long size) {
    if (header == null || header.isBlank()) {
      return new long[] {0, size, 0};
    }
    String h = header.trim();
    if (!h.startsWith("bytes=") || h.contains(",")) {
      throw new IllegalArgumentException(
          "unsupported Range '" + header + "': one bytes=a-b range only");
    }
    String spec = h.substring(6);
    int dash = spec.indexOf('-');
    if (dash < 0) {
      throw new IllegalArgumentException("bad Range '" + header + "'");
    }
    String a = spec.substring(0, dash).trim();
    String b = spec.substring(dash + 1).trim();
    long start;
    long end;
    try {
      if (a.isEmpty()) {
        long suffix = Long.parseLong(b);
        start = Math.max(0, size - suffix);
        end = size;
      } else {
        start = Long.parseLong(a);
        end = b.isEmpty() ? size : Math.min(size, Long.parseLong(b) + 1);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad Range '" + header + "'", e);
    }
    if (start < 0 || start >= size || end <= start) {
      throw new IllegalArgumentException(
          "Range '" + header + "' is outside the file of " + size + " bytes");
    }
    return new long[] {start, end, 1};
  }
}
