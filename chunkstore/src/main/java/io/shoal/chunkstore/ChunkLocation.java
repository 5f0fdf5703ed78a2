package io.shoal.chunkstore;

import java.nio.file.Path;

/**
 * Where a chunk's bytes lie inside a file, for zero-copy serving. The bytes at that place were
 * verified when written but are not verified again; a receiver checks them as it always does.
 *
 * @param file the pack file
 * @param offset position of the first payload byte
 * @param length payload length in bytes
 */
public record ChunkLocation(Path file, long offset, int length) {}
