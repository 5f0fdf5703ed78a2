package io.shoal.chunkstore;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Bytes together with the id they hash to. The only ways to make one hash the bytes, so a store
 * that accepts only verified chunks can never hold a chunk whose bytes do not match its id.
 *
 * <p>The chunk holds a read-only view of the caller's buffer and does not copy it: the caller keeps
 * ownership and must not change the bytes until the chunk has been handed to a store.
 */
public final class VerifiedChunk {
  private final ChunkId id;
  private final ByteBuffer bytes;

  private VerifiedChunk(ChunkId id, ByteBuffer bytes) {
    this.id = id;
    this.bytes = bytes;
  }

  /** Hashes the bytes between the buffer's position and limit. */
  public static VerifiedChunk hash(HashAlgorithm algorithm, ByteBuffer bytes) {
    // Hash before taking the read-only view: a read-only heap buffer hides its array, which
    // would push the hash off its native path.
    ChunkId id = algorithm.hash(bytes);
    return new VerifiedChunk(id, bytes.slice().asReadOnlyBuffer());
  }

  /** Hashes all of {@code bytes}. */
  public static VerifiedChunk hash(HashAlgorithm algorithm, byte[] bytes) {
    return hash(algorithm, ByteBuffer.wrap(bytes));
  }

  /**
   * Hashes the bytes with the algorithm of {@code expected}; returns the chunk when they match and
   * empty when they do not.
   */
  public static Optional<VerifiedChunk> verify(ChunkId expected, ByteBuffer bytes) {
    ByteBuffer slice = bytes.slice();
    // Hash before taking the read-only view (see hash): a read-only heap buffer hides its array
    // and would send xxHash down its pure-Java path, several times slower.
    ChunkId actual = expected.algorithm().hash(slice);
    return actual.equals(expected)
        ? Optional.of(new VerifiedChunk(actual, slice.asReadOnlyBuffer()))
        : Optional.empty();
  }

  public ChunkId id() {
    return id;
  }

  /** A fresh read-only view of the bytes, positioned at zero. */
  public ByteBuffer bytes() {
    return bytes.duplicate();
  }

  public int length() {
    return bytes.remaining();
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    byte[] copy = new byte[bytes.remaining()];
    bytes.duplicate().get(copy);
    return copy;
  }
}
