package io.shoal.node.core;

import io.shoal.chunkstore.ChunkId;
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

  /**
   * Asks for one chunk.
   *
   * @param requestId the requester's id for this request, echoed in the reply
   * @param id the chunk
   * @param linkBytesPerSecond what the requester currently receives over all its peers (0:
   *     unknown), its estimate of its link, which the sender weighs against its compressor's speed
   */
  record ChunkRequest(long requestId, ChunkId id, long linkBytesPerSecond)
      implements TransferMessage {
    public ChunkRequest {
      Objects.requireNonNull(id, "id");
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
