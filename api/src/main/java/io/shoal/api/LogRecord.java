package io.shoal.api;

/**
 * One record of a change log.
 *
 * @param offset its place in the log; offsets are consecutive from 0
 * @param data its bytes, which the caller may keep but must not change
 */
@SuppressWarnings("ArrayRecordComponent")
public record LogRecord(long offset, byte[] data) {}
