package io.shoal.node.net;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The messages that stream a change log's newest records to its followers ahead of the segments
 * that seal them (protocol version 7): a follower asks the log's writer for the records from the
 * end of its replica ({@link Request}); the writer answers ({@link Reply}) as soon as it holds
 * records there, or with none when the wait runs out, and the follower asks again.
 */
public final class LogTail {
  /** Longest log name on the wire, in UTF-8 bytes (a log's name is at most 123 characters). */
  public static final int MAX_NAME_BYTES = 512;

  /** Most records in one reply. */
  public static final int MAX_RECORDS = 4096;

  /**
   * Most record bytes in one reply: it stays a control message ({@link
   * WireProtocol#MAX_CONTROL_BYTES}) with its framing. A larger record comes with its segment.
   */
  public static final int MAX_BYTES = 768 << 10;

  /** Longest a writer holds a request before answering without records. */
  public static final int MAX_WAIT_MILLIS = 30_000;

  private LogTail() {}

  /**
   * Asks the writer of log {@code name} for its records from offset {@code from} on, waiting up to
   * {@code waitMillis} for the first.
   */
  public record Request(String name, long from, int waitMillis) {
    public Request {
      Objects.requireNonNull(name, "name");
    }
  }

  /** What a reply says. */
  public enum Status {
    /** The records from the offset asked for (none when the wait ran out). */
    RECORDS,
    /** This node does not write the log. */
    NOT_WRITER,
    /** The offset is before the writer's newest sealed segment: take the segments first. */
    BEHIND,
    /** The record at the offset is larger than a reply carries: take it with its segment. */
    TOO_LARGE,
    /** Too many requests wait here: ask again later. */
    BUSY,
    /** The request cannot be answered: a bad name, or an offset past the log's end. */
    REFUSED
  }

  /**
   * The answer to a {@link Request} for log {@code name} from offset {@code from}: {@code records}
   * are those at {@code from}, {@code from + 1}, ..., and there are some only with {@link
   * Status#RECORDS}.
   */
  public record Reply(String name, long from, Status status, List<byte[]> records) {
    public Reply {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(status, "status");
      records = List.copyOf(records);
      if (status != Status.RECORDS && !records.isEmpty()) {
        throw new IllegalArgumentException("only a reply with records carries records");
      }
    }

    /** Equal when every field is, the records compared by their bytes. */
    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Reply r)
          || !name.equals(r.name)
          || from != r.from
          || status != r.status
          || records.size() != r.records.size()) {
        return false;
      }
      for (int i = 0; i < records.size(); i++) {
        if (!Arrays.equals(records.get(i), r.records.get(i))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      int h = Objects.hash(name, from, status);
      for (byte[] record : records) {
        h = 31 * h + Arrays.hashCode(record);
      }
      return h;
    }

    @Override
    public String toString() {
      return "Reply[" + name + "@" + from + " " + status + ", " + records.size() + " records]";
    }
  }
}
