package io.shoal.api;

/**
 * A version that a publish made (or found unchanged).
 *
 * @param name the snapshot's name
 * @param version its version number
 * @param root the snapshot's id (hex), which every byte of it is verified against
 * @param sizeBytes the bytes the version holds
 * @param newBytes the bytes the store did not hold before (what changed since earlier versions)
 * @param logOffset the change-log offset the version covers, or {@link Shoal#NO_LOG_OFFSET}
 */
public record Published(
    String name, long version, String root, long sizeBytes, long newBytes, long logOffset) {}
