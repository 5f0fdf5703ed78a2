package io.shoal.api;

import java.nio.file.Path;

/**
 * What a restore wrote.
 *
 * @param name the snapshot's name
 * @param version the version restored
 * @param root the snapshot's id (hex)
 * @param path where it was written
 * @param sizeBytes the version's size
 * @param fetchedBytes the chunk bytes this restore fetched from peers (0 when the node held them)
 * @param seconds time taken, fetch and write
 * @param logOffset where a replay of the log of the same name starts, or {@link
 *     Shoal#NO_LOG_OFFSET}
 */
public record Restored(
    String name,
    long version,
    String root,
    Path path,
    long sizeBytes,
    long fetchedBytes,
    double seconds,
    long logOffset) {}
