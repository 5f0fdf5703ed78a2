package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.Progress;
import io.shoal.chunkstore.SnapshotName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Publishing as a user asks for it: the next version of a name (or a given one), then retention.
 * Shared by the CLI working on a directory and by a running node.
 */
public final class Publication {
  /**
   * What a publication did; the CLI prints it and the HTTP API returns it as JSON.
   *
   * @param name snapshot name
   * @param version the version published
   * @param root the snapshot id, hex
   * @param hash the id algorithm
   * @param sizeBytes bytes of all files
   * @param entries file table entries
   * @param singleFile whether it is one file
   * @param chunks chunks in the snapshot
   * @param newChunks chunks the store did not hold before
   * @param newBytes payload bytes of those
   * @param seconds time taken
   * @param versionsDropped old versions retention removed afterwards
   * @param unchanged whether the content was that of the newest version, so no version was made and
   *     {@code version} and {@code root} are that version's
   */
  public record Outcome(
      String name,
      long version,
      String root,
      String hash,
      long sizeBytes,
      long entries,
      boolean singleFile,
      long chunks,
      long newChunks,
      long newBytes,
      double seconds,
      int versionsDropped,
      boolean unchanged,
      long reusedBytes) {}

  private Publication() {}

  /**
   * Publishes {@code path} as {@code name}, at {@code version} if given or the newest version plus
   * one, then keeps the newest {@code keep} versions of each name (0 keeps all). Unless {@code
   * force}, content equal to that of the newest version, held complete and numbered {@code version
   * - 1}, makes no version: the outcome is that version, marked unchanged. The snapshot records
   * that it holds the state before record {@code logOffset} of the change log of its name ({@link
   * SnapshotRoot#NO_LOG_OFFSET} for none). Files that {@code history} shows unchanged since its
   * latest publication of the name are not read again (never when {@code force}).
   */
  public static Outcome publish(
      ChunkStore store,
      Path path,
      String name,
      Long version,
      HashAlgorithm algorithm,
      int keep,
      String publisher,
      long nowMillis,
      Progress progress,
      boolean force,
      long logOffset,
      PublishHistory history)
      throws IOException {
    SnapshotName.check(name);
    if (keep < 0) {
      throw new IllegalArgumentException("keep must be 0 or more, not " + keep);
    }
    long v =
        version != null
            ? version
            : store.catalog().latest(name).map(e -> e.version() + 1).orElse(1L);
    long start = System.nanoTime();
    PublishRequest request =
        PublishRequest.of(name, v, publisher, nowMillis)
            .withAlgorithm(algorithm)
            .withLogOffset(logOffset);
    if (!force) {
      Optional<CatalogEntry> newest =
          store.catalog().latest(name).filter(e -> e.complete() && e.version() == v - 1);
      if (newest.isPresent()) {
        request = request.unlessSameAs(newest.get().root());
      }
    }
    SnapshotWriter.Result result =
        SnapshotWriter.publish(
            store, path, request, progress, force ? PublishHistory.none() : history);
    double seconds = (System.nanoTime() - start) / 1e9;
    int dropped =
        keep == 0 ? 0 : Retention.apply(new SnapshotReader(store), keep).versionsDropped().size();
    long made = result.root().version();
    CatalogEntry entry = store.catalog().get(name, made).orElseThrow();
    return new Outcome(
        name,
        made,
        result.rootId().toHex(),
        algorithm.label(),
        entry.sizeBytes(),
        result.root().entryCount(),
        result.root().singleFile(),
        result.chunks(),
        result.newChunks(),
        result.newBytes(),
        seconds,
        dropped,
        result.unchanged(),
        result.reusedBytes());
  }
}
