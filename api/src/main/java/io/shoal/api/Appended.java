package io.shoal.api;

/**
 * Records appended durably to a change log.
 *
 * @param first the offset of the first record appended
 * @param count how many were appended, at offsets {@code first} to {@code first + count - 1}
 * @param end one past the log's last record after the append
 */
public record Appended(long first, int count, long end) {}
