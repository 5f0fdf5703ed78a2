package io.shoal.node.api;

/**
 * What a materialization wrote.
 *
 * @param name snapshot name
 * @param version version
 * @param root snapshot id, hex
 * @param path where it went
 * @param files regular files written
 * @param bytes bytes written
 * @param seconds time taken
 */
public record Written(
    String name, long version, String root, String path, long files, long bytes, double seconds) {}
