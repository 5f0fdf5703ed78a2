package io.shoal.node.api;

/**
 * A publication request, as the CLI sends it.
 *
 * @param name snapshot name
 * @param path absolute path on this machine
 * @param version version to publish, or null for newest + 1
 * @param hash id algorithm, or null for xxh128
 * @param keep versions per name to keep, or null for 10
 * @param force publish a new version even when the content is the newest version's; null is false
 * @param logOffset the snapshot holds the state after the records of the change log of the same
 *     name before this offset, and a restore replays from it; null records none
 */
public record PublishCall(
    String name,
    String path,
    Long version,
    String hash,
    Integer keep,
    Boolean force,
    Long logOffset) {

  public PublishCall {
    if (logOffset != null && logOffset < 0) {
      throw new IllegalArgumentException("logOffset must be at least 0, not " + logOffset);
    }
  }

  /** A request that records no log offset. */
  public PublishCall(
      String name, String path, Long version, String hash, Integer keep, Boolean force) {
    this(name, path, version, hash, keep, force, null);
  }

  /** A request that makes no version when the content is unchanged. */
  public PublishCall(String name, String path, Long version, String hash, Integer keep) {
    this(name, path, version, hash, keep, null, null);
  }

  /**
   * The log offset to record, or {@link io.shoal.chunkstore.snapshot.SnapshotRoot#NO_LOG_OFFSET}.
   */
  public long logOffsetOrNone() {
    return logOffset == null ? io.shoal.chunkstore.snapshot.SnapshotRoot.NO_LOG_OFFSET : logOffset;
  }

  /** Whether a new version is made even for unchanged content: asked for, or a version given. */
  public boolean forced() {
    return Boolean.TRUE.equals(force) || version != null;
  }
}
