package io.shoal.node.api;

/**
 * A publication request, as the CLI sends it.
 *
 * @param name snapshot name
 * @param path absolute path on this machine
 * @param version version to publish, or null for newest + 1
 * @param hash id algorithm, or null for xxh128
 * @param keep versions per name to keep, or null for 10
 */
public record PublishCall(String name, String path, Long version, String hash, Integer keep) {}
