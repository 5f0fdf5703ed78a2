package io.shoal.api;

import java.util.List;

/**
 * Records read from a change log, in offset order.
 *
 * @param records consecutive records from the offset read from; empty when a wait timed out
 * @param next the offset to read from next
 * @param end one past the last record the node holds of this log
 */
public record LogRead(List<LogRecord> records, long next, long end) {
  public LogRead {
    records = List.copyOf(records);
  }
}
