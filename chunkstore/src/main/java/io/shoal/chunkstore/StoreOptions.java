package io.shoal.chunkstore;

/**
 * Tuning of a disk store.
 *
 * @param packTargetBytes a pack is sealed and a new one started once it passes this size
 * @param chunkCacheBytes bound of the cache of hot, verified chunks
 * @param writebackBytes after this many appended bytes the store asks the OS to start writing them
 *     out in the background, so a commit's fsync has little left to do
 * @param compactDeadFraction a sealed pack whose dead bytes reach this fraction is rewritten by
 *     garbage collection; below it, its dead chunks are only dropped from its hint
 * @param lockWaitMillis how long opening waits for the store's lock while another process (or
 *     channel) holds it, polling; 0 refuses a held store at once
 */
public record StoreOptions(
    long packTargetBytes,
    long chunkCacheBytes,
    long writebackBytes,
    double compactDeadFraction,
    long lockWaitMillis) {

  public static final long DEFAULT_PACK_TARGET_BYTES = 1L << 30;
  public static final long DEFAULT_CHUNK_CACHE_BYTES = 64L << 20;
  public static final long DEFAULT_WRITEBACK_BYTES = 32L << 20;
  public static final double DEFAULT_COMPACT_DEAD_FRACTION = 0.25;

  /** Opening refuses a held store at once unless told to wait. */
  public static final long DEFAULT_LOCK_WAIT_MILLIS = 0;

  /** Longest wait for the lock that may be asked for: past it, an operator should be told. */
  public static final long MAX_LOCK_WAIT_MILLIS = 10 * 60_000;

  public StoreOptions {
    if (packTargetBytes < 1 << 20 || packTargetBytes > ChunkIndex.MAX_PACK_OFFSET / 2) {
      throw new IllegalArgumentException("pack target " + packTargetBytes + " out of range");
    }
    if (chunkCacheBytes < 0 || writebackBytes < 1 << 20) {
      throw new IllegalArgumentException(
          "cache " + chunkCacheBytes + " / writeback " + writebackBytes + " out of range");
    }
    if (!(compactDeadFraction >= 0 && compactDeadFraction <= 1)) {
      throw new IllegalArgumentException("compactDeadFraction " + compactDeadFraction);
    }
    if (lockWaitMillis < 0 || lockWaitMillis > MAX_LOCK_WAIT_MILLIS) {
      throw new IllegalArgumentException("lockWaitMillis " + lockWaitMillis + " out of range");
    }
  }

  public static StoreOptions defaults() {
    return new StoreOptions(
        DEFAULT_PACK_TARGET_BYTES,
        DEFAULT_CHUNK_CACHE_BYTES,
        DEFAULT_WRITEBACK_BYTES,
        DEFAULT_COMPACT_DEAD_FRACTION,
        DEFAULT_LOCK_WAIT_MILLIS);
  }

  public StoreOptions withPackTargetBytes(long bytes) {
    return new StoreOptions(
        bytes, chunkCacheBytes, writebackBytes, compactDeadFraction, lockWaitMillis);
  }

  public StoreOptions withCompactDeadFraction(double fraction) {
    return new StoreOptions(
        packTargetBytes, chunkCacheBytes, writebackBytes, fraction, lockWaitMillis);
  }

  public StoreOptions withLockWaitMillis(long millis) {
    return new StoreOptions(
        packTargetBytes, chunkCacheBytes, writebackBytes, compactDeadFraction, millis);
  }
}
