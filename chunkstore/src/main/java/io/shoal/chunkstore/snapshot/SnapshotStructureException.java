package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.FormatException;

/**
 * A snapshot whose DAG does not hold together, though each chunk decodes: a node's declared span
 * differs from the sum of its children's, a data chunk's length from the span its parent gives it,
 * a file table's declared size from the bytes that back it, or a tree has more data chunks or index
 * nodes than the bounds of {@link SnapshotReader}. The snapshot is refused whole; the message names
 * the node and both values.
 */
public final class SnapshotStructureException extends FormatException {
  private static final long serialVersionUID = 1L;

  public SnapshotStructureException(String message) {
    super(message);
  }
}
