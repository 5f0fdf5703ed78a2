package io.shoal.node.api;

/**
 * What an append to a change log did: the records got the offsets {@code first} to {@code first +
 * count - 1}, durably.
 *
 * @param name the log
 * @param first the offset of the first record appended
 * @param count how many records were appended
 * @param end one past the log's last offset after the append
 */
public record LogAppended(String name, long first, int count, long end) {}
