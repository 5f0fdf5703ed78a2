package io.shoal.chunkstore.log;

import io.shoal.chunkstore.ChunkId;

/**
 * A sealed segment as a log lists it: its records {@code [firstOffset, endOffset)} and its id.
 *
 * @param bytes the segment's encoded length
 */
public record SegmentRef(long firstOffset, long endOffset, ChunkId id, int bytes) {}
