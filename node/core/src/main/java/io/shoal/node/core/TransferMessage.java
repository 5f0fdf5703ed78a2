package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
import java.util.List;
import java.util.Objects;

/**
 * Control messages of the transfer protocol. Chunk bytes do not travel in these: a reply is a chunk
 * frame of its own (see {@code docs/protocol.md}), represented in the cores by the {@code onChunk…}
 * inputs.
 */
public sealed interface TransferMessage {

  /** Which chunks of the snapshot {@code root} does the receiver hold? */
  record HaveQuery(ChunkId root) implements TransferMessage {
    public HaveQuery {
      Objects.requireNonNull(root, "root");
    }
  }

  /**
   * The answer to a {@link HaveQuery}: everything, nothing, or the data chunks in a bitmap (bit i:
   * the i-th data chunk in stream order).
   */
  record HaveReply(ChunkId root, boolean all, ChunkBitmap have) implements TransferMessage {
    public HaveReply {
      Objects.requireNonNull(root, "root");
      Objects.requireNonNull(have, "have");
    }
  }

  /** Data chunks the sender has completed since it last said, for peers fetching the same root. */
  record HaveUpdate(ChunkId root, ChunkBitmap added) implements TransferMessage {
    public HaveUpdate {
      Objects.requireNonNull(root, "root");
      Objects.requireNonNull(added, "added");
    }
  }

  /** Asks for one chunk; answered by a chunk frame or {@link ChunkRefused}. */
  sealed interface Request extends TransferMessage permits ChunkRequest, DeltaRequest {
    /** The requester's id for this request, echoed in the reply. */
    long requestId();

    /** The chunk. */
    ChunkId id();

    /**
     * What the requester currently receives over all its peers (0: unknown), its estimate of its
     * link, which the sender weighs against its compressor's speed.
     */
    long linkBytesPerSecond();

    /** Older chunks the requester holds that the reply may be a delta against; empty for none. */
    default List<ChunkId> bases() {
      return List.of();
    }
  }

  /** Asks for one chunk, whole (compressed or not). */
  record ChunkRequest(long requestId, ChunkId id, long linkBytesPerSecond) implements Request {
    public ChunkRequest {
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * Asks for one chunk as a delta against {@code bases}, chunks the requester holds at the same
   * place of an older version (protocol version 4). A sender that lacks a base, or finds no delta
   * worth sending, answers with the whole chunk; the requester verifies what it rebuilds against
   * {@code id} like any chunk.
   */
  record DeltaRequest(long requestId, ChunkId id, List<ChunkId> bases, long linkBytesPerSecond)
      implements Request {
    /** Most bases one request names. */
    public static final int MAX_BASES = 8;

    public DeltaRequest {
      Objects.requireNonNull(id, "id");
      bases = List.copyOf(bases);
      if (bases.isEmpty() || bases.size() > MAX_BASES) {
        throw new IllegalArgumentException(
            "a delta request names 1 to " + MAX_BASES + " bases, not " + bases.size());
      }
    }
  }

  /** The sender will not serve a request. */
  record ChunkRefused(long requestId, Reason reason) implements TransferMessage {
    /** Why. */
    public enum Reason {
      /** The sender does not hold the chunk. */
      NOT_FOUND,
      /** Too many requests from this peer are queued; ask again later or elsewhere. */
      BUSY
    }
  }

  /** Withdraws a request (endgame: another peer delivered the chunk first). */
  record Cancel(long requestId) implements TransferMessage {}
}
