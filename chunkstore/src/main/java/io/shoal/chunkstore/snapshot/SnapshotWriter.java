package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkBatch;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.FastCdc;
import io.shoal.chunkstore.Progress;
import io.shoal.chunkstore.VerifiedChunk;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Publishes a file or a directory tree as a snapshot: chunks the data stream with FastCDC, hashes
 * every chunk, writes the new ones to the store, builds the Merkle trees and the root, commits, and
 * records the snapshot in the catalog.
 *
 * <p>The chunking, hashing and writing are {@link PublishPipeline}'s: parallel, with exactly the
 * result of a sequential pass.
 */
public final class SnapshotWriter {
  /**
   * The outcome of a publication.
   *
   * @param rootId the snapshot id
   * @param root the root
   * @param chunks chunks in the snapshot (data, index nodes, root)
   * @param newChunks chunks the store did not hold before
   * @param newBytes payload bytes of the new chunks
   * @param unchanged whether the content equals {@link PublishRequest#previous()}'s, so that
   *     snapshot is the result and no version was made
   * @param reusedBytes bytes of unchanged files taken from the previous version unread ({@link
   *     PublishHistory})
   */
  public record Result(
      ChunkId rootId,
      SnapshotRoot root,
      long chunks,
      long newChunks,
      long newBytes,
      boolean unchanged,
      long reusedBytes) {}

  private SnapshotWriter() {}

  /**
   * Publishes {@code source} (a regular file or a directory) as {@code request.name()} at {@code
   * request.version()}.
   *
   * @param progress told the data stream's length, then the bytes processed after each segment
   * @throws IllegalArgumentException when the catalog already holds that name and version
   */
  public static Result publish(
      ChunkStore store, Path source, PublishRequest request, Progress progress) throws IOException {
    return publish(store, source, request, progress, PublishHistory.none());
  }

  /**
   * Publishes {@code source} as {@link #publish(ChunkStore, Path, PublishRequest, Progress)} does,
   * without reading the files that {@code history} shows unchanged since the latest publication of
   * the name, and records this one in it. The snapshot is exactly the one reading them would make.
   */
  public static Result publish(
      ChunkStore store,
      Path source,
      PublishRequest request,
      Progress progress,
      PublishHistory history)
      throws IOException {
    long startedMillis = System.currentTimeMillis();
    SourceScanner.Scan scan = SourceScanner.scan(source);
    FileTable table = FileTable.of(scan.entries());
    List<FileEntry> regular = table.entries().stream().filter(e -> !e.directory()).toList();
    Optional<PublishHistory.Entry> previous = history.latest(request.name());
    history.forget(request.name());
    Result result =
        publish(
            store,
            table,
            scan.singleFile(),
            StreamSource.ofFiles(scan.files(), regular),
            request,
            progress,
            c -> ReusePlan.of(store, c, request.algorithm(), previous, regular, scan.stamps()));
    history.record(request.name(), result.rootId(), startedMillis, regular, scan.stamps());
    return result;
  }

  /** Plans which chunks of an earlier version a publication takes unread. */
  @FunctionalInterface
  interface Reuse {
    ReusePlan plan(FastCdc chunker) throws IOException;
  }

  /** Publishes one file, held in memory, named {@code fileName}. */
  public static Result publishBytes(
      ChunkStore store, String fileName, byte[] bytes, PublishRequest request) throws IOException {
    FileTable table = FileTable.of(List.of(new FileEntry(fileName, false, 0644, bytes.length, 0)));
    return publish(store, table, true, StreamSource.ofBytes(bytes), request, Progress.none());
  }

  /** Publishes {@code data}, the stream of {@code table}'s regular files; the seam for tests. */
  static Result publish(
      ChunkStore store,
      FileTable table,
      boolean singleFile,
      StreamSource data,
      PublishRequest request,
      Progress progress)
      throws IOException {
    return publish(store, table, singleFile, data, request, progress, c -> ReusePlan.NONE);
  }

  private static Result publish(
      ChunkStore store,
      FileTable table,
      boolean singleFile,
      StreamSource data,
      PublishRequest request,
      Progress progress,
      Reuse reuse)
      throws IOException {
    if (store.catalog().get(request.name(), request.version()).isPresent()) {
      throw new IllegalArgumentException(
          "the catalog already holds " + request.name() + "@" + request.version());
    }
    FastCdc c = request.sizing().chunkerFor(data.size(), previousAvgBytes(store, request));
    try (ChunkBatch batch = store.newBatch();
        PublishPipeline pipeline = new PublishPipeline(request, c, batch)) {
      progress.begin(data.size());
      TreeRef dataTree = pipeline.run(data, reuse.plan(c), progress);
      TreeRef tableTree =
          pipeline.run(StreamSource.ofBytes(table.encode()), ReusePlan.NONE, Progress.none());
      Optional<SnapshotRoot> same = sameContent(store, request, singleFile, dataTree, tableTree);
      if (same.isPresent()) {
        batch.commit();
        return result(pipeline, batch, request.previous(), same.get(), true);
      }
      SnapshotRoot root =
          new SnapshotRoot(
              request.name(),
              request.version(),
              request.algorithm(),
              singleFile,
              request.publisher(),
              request.createdMillis(),
              dataTree,
              tableTree,
              table.size(),
              c.minBytes(),
              c.avgBytes(),
              c.maxBytes(),
              request.logOffset());
      VerifiedChunk rootChunk = VerifiedChunk.hash(request.algorithm(), root.encode());
      pipeline.count(batch.add(rootChunk), rootChunk.length());
      batch.commit();
      store
          .catalog()
          .put(
              new CatalogEntry(
                  request.name(),
                  request.version(),
                  rootChunk.id(),
                  true,
                  dataTree.sizeBytes(),
                  request.createdMillis()));
      return result(pipeline, batch, rootChunk.id(), root, false);
    }
  }

  /**
   * The chunker average the newest complete older version of the name was cut with, or 0: the size
   * class keeps it when it is a neighbour ({@link ChunkSizing}). A version that cannot be read
   * gives 0, and the class comes from the size alone.
   */
  private static int previousAvgBytes(ChunkStore store, PublishRequest request) {
    Optional<CatalogEntry> previous =
        store.catalog().latestComplete(request.name()).filter(e -> e.version() < request.version());
    if (previous.isEmpty()) {
      return 0;
    }
    try {
      return new SnapshotReader(store).root(previous.get().root()).chunkerAvg();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static Result result(
      PublishPipeline pipeline,
      ChunkBatch batch,
      ChunkId rootId,
      SnapshotRoot root,
      boolean unchanged) {
    return new Result(
        rootId,
        root,
        pipeline.chunks(),
        batch.addedChunks(),
        batch.addedBytes(),
        unchanged,
        pipeline.reusedBytes());
  }

  /** The previous snapshot of the request, if it holds exactly this content. */
  private static Optional<SnapshotRoot> sameContent(
      ChunkStore store,
      PublishRequest request,
      boolean singleFile,
      TreeRef dataTree,
      TreeRef tableTree)
      throws IOException {
    if (request.previous() == null) {
      return Optional.empty();
    }
    SnapshotRoot previous = new SnapshotReader(store).root(request.previous());
    boolean same =
        previous.data().equals(dataTree)
            && previous.fileTable().equals(tableTree)
            && previous.singleFile() == singleFile
            && previous.algorithm() == request.algorithm()
            && previous.logOffset() == request.logOffset(); // a later log offset is news
    return same ? Optional.of(previous) : Optional.empty();
  }
}
