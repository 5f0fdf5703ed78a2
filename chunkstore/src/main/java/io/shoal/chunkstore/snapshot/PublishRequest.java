package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.FastCdc;
import io.shoal.chunkstore.HashAlgorithm;
import io.shoal.chunkstore.SnapshotName;
import java.util.Objects;

/**
 * What to publish a snapshot as, and how to chunk it.
 *
 * @param name snapshot name
 * @param version the new version
 * @param publisher the publishing node's id
 * @param createdMillis publication time, read from the wall clock by the caller
 * @param algorithm hash algorithm of every id
 * @param sizing how the chunker's sizes are chosen (by the data stream's size, by default)
 * @param threads worker threads for chunking and hashing
 * @param previous a snapshot to compare with, or null: when the content equals its content, no
 *     snapshot is made and that one is the result
 */
public record PublishRequest(
    String name,
    long version,
    String publisher,
    long createdMillis,
    HashAlgorithm algorithm,
    ChunkSizing sizing,
    int threads,
    ChunkId previous,
    long logOffset) {

  public PublishRequest {
    SnapshotName.check(name);
    SnapshotName.checkVersion(version);
    Objects.requireNonNull(publisher, "publisher");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(sizing, "sizing");
    if (threads < 1) {
      throw new IllegalArgumentException("threads " + threads);
    }
    if (logOffset < SnapshotRoot.NO_LOG_OFFSET) {
      throw new IllegalArgumentException("log offset " + logOffset + " is below 0");
    }
  }

  /** Defaults: xxh128, chunk sizes by the stream's size, one thread per processor. */
  public static PublishRequest of(String name, long version, String publisher, long createdMillis) {
    return new PublishRequest(
        name,
        version,
        publisher,
        createdMillis,
        HashAlgorithm.XXH128,
        ChunkSizing.bySize(),
        Runtime.getRuntime().availableProcessors(),
        null,
        SnapshotRoot.NO_LOG_OFFSET);
  }

  public PublishRequest withAlgorithm(HashAlgorithm a) {
    return new PublishRequest(
        name, version, publisher, createdMillis, a, sizing, threads, previous, logOffset);
  }

  /** Cuts with {@code c} whatever the stream's size. */
  public PublishRequest withChunker(FastCdc c) {
    return new PublishRequest(
        name,
        version,
        publisher,
        createdMillis,
        algorithm,
        ChunkSizing.fixed(c),
        threads,
        previous,
        logOffset);
  }

  /** Makes nothing when the content equals that of the snapshot {@code root}. */
  public PublishRequest unlessSameAs(ChunkId root) {
    return new PublishRequest(
        name, version, publisher, createdMillis, algorithm, sizing, threads, root, logOffset);
  }

  public PublishRequest withThreads(int t) {
    return new PublishRequest(
        name, version, publisher, createdMillis, algorithm, sizing, t, previous, logOffset);
  }

  /**
   * Records that the snapshot holds the state after the records of the change log of its name
   * before {@code offset} ({@link SnapshotRoot#logOffset}); {@link SnapshotRoot#NO_LOG_OFFSET} for
   * none.
   */
  public PublishRequest withLogOffset(long offset) {
    return new PublishRequest(
        name, version, publisher, createdMillis, algorithm, sizing, threads, previous, offset);
  }
}
