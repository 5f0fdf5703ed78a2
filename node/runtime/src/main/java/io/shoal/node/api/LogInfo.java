package io.shoal.node.api;

/**
 * A change log a node holds, as {@code shoal log ls} shows it.
 *
 * @param name the log
 * @param start the first offset the node still holds
 * @param end one past the last offset the node holds
 * @param sealed one past the last offset in a sealed segment
 * @param segments how many sealed segments the node holds
 * @param segmentBytes their size on disk
 */
public record LogInfo(
    String name, long start, long end, long sealed, int segments, long segmentBytes) {}
