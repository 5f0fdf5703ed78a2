package io.shoal.node.api;

import java.util.List;

/**
 * Records read from a change log, in offset order, and where the log stands. Empty when a read
 * waited and nothing was appended in time; the next read starts at {@link #next}.
 *
 * @param name the log
 * @param start the first offset the node still holds
 * @param end one past the last offset the node holds
 * @param sealed one past the last offset in a sealed segment
 * @param next the offset to read from next: one past the last record here, or the offset read from
 * @param records the records, consecutive from the offset read from
 */
public record LogBatch(
    String name, long start, long end, long sealed, long next, List<Entry> records) {
  public LogBatch {
    records = List.copyOf(records);
  }

  /**
   * One record.
   *
   * @param offset its place in the log
   * @param data its bytes (base64 in JSON)
   */
  @SuppressWarnings("ArrayRecordComponent")
  public record Entry(long offset, byte[] data) {}
}
