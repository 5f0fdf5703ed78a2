package io.shoal.node.api;

/**
 * What a garbage collection did, as {@code shoal gc} prints it.
 *
 * @param versionsDropped catalog entries that retention removed
 * @param bytesReclaimed payload bytes of the chunks removed
 * @param chunksLeft chunks the store holds afterwards
 * @param bytesLeft payload bytes of those
 */
public record Collected(
    int versionsDropped, long bytesReclaimed, long chunksLeft, long bytesLeft) {}
