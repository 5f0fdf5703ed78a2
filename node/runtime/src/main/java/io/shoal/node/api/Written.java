package io.shoal.node.api;

/**
 * What a materialization wrote.
 *
 * @param name snapshot name
 * @param version version
 * @param root snapshot id, hex
 * @param path where it went
 * @param sizeBytes the snapshot's size
 * @param files regular files written
 * @param writtenBytes bytes written
 * @param seconds time taken
 */
public record Written(
    String name,
    long version,
    String root,
    String path,
    long sizeBytes,
    long files,
    long writtenBytes,
    double seconds) {}
