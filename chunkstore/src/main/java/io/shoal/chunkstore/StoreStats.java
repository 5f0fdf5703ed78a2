package io.shoal.chunkstore;

/**
 * A point-in-time summary of a store.
 *
 * @param chunkCount visible chunks
 * @param chunkBytes payload bytes of the visible chunks
 * @param fileBytes bytes the store occupies on disk (for the in-memory store: the payload)
 */
public record StoreStats(long chunkCount, long chunkBytes, long fileBytes) {}
