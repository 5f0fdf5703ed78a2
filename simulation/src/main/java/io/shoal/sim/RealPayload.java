package io.shoal.sim;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.VerifiedChunk;
import io.shoal.chunkstore.snapshot.PublishRequest;
import io.shoal.chunkstore.snapshot.SnapshotReader;
import io.shoal.chunkstore.snapshot.SnapshotRoot;
import io.shoal.chunkstore.snapshot.SnapshotWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Real bytes for small runs: snapshots are published with the real chunker and writer into an
 * origin store, every node keeps a real in-memory {@link ChunkStore}, chunk bytes travel in the
 * flows, and a receiver keeps a chunk only if {@link VerifiedChunk#verify} accepts it. After the
 * run, every snapshot a node lists as complete is read back through the real {@link SnapshotReader}
 * and compared with what was published.
 */
final class RealPayload {
  /** Most bytes one node's store holds. */
  static final long STORE_CAPACITY_BYTES = 1L << 30;

  private final Map<ChunkId, byte[]> contents = new HashMap<>();

  /** Each publication's own origin store (two sides of a partition may publish one version). */
  private final Map<ChunkId, ChunkStore> origins = new HashMap<>();

  /** Random bytes of the given size, from the seed. */
  static byte[] randomBytes(long size, long seed) {
    byte[] b = new byte[(int) size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  /** {@code base} with {@code percent} of its bytes overwritten in ten places. */
  static byte[] edit(byte[] base, double percent, long seed) {
    byte[] b = base.clone();
    SplittableRandom r = new SplittableRandom(seed);
    int run = Math.max(1, (int) (b.length * percent / 100 / 10));
    for (int k = 0; k < 10 && b.length > 0; k++) {
      int start = (int) ((long) b.length * k / 10);
      for (int i = start; i < Math.min(b.length, start + run); i++) {
        b[i] = (byte) r.nextInt();
      }
    }
    return b;
  }

  /** Publishes {@code data} as {@code name@version} and describes it for the simulation. */
  SnapshotModel publish(ChunkUniverse universe, String name, long version, byte[] data) {
    ChunkStore origin = ChunkStore.inMemory(STORE_CAPACITY_BYTES);
    SnapshotReader originReader = new SnapshotReader(origin);
    try {
      SnapshotWriter.Result r =
          SnapshotWriter.publishBytes(
              origin, name + ".bin", data, PublishRequest.of(name, version, "simulation", 0));
      SnapshotRoot root = r.root();
      List<Integer> metadata = new ArrayList<>();
      List<Integer> leaves = new ArrayList<>();
      metadata.add(universe.add(r.rootId(), origin.length(r.rootId())));
      originReader.walk(
          root.data(),
          (id, height, offset, span) -> {
            (height == 0 ? leaves : metadata).add(universe.add(id, origin.length(id)));
            return true;
          });
      originReader.walk(
          root.fileTable(),
          (id, height, offset, span) -> {
            metadata.add(universe.add(id, origin.length(id)));
            return true;
          });
      contents.put(r.rootId(), data);
      origins.put(r.rootId(), origin);
      return SnapshotModel.real(
          name,
          version,
          r.rootId(),
          metadata.stream().mapToInt(Integer::intValue).toArray(),
          leaves.stream().mapToInt(Integer::intValue).toArray(),
          data.length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  byte[] contents(ChunkId root) {
    return contents.get(root);
  }

  /** Copies every chunk of {@code s} from the origin into {@code store} (a publisher's). */
  void copyInto(ChunkStore store, SnapshotModel s, ChunkUniverse universe) {
    ChunkStore origin = origins.get(s.root);
    try {
      for (int c : s.metadata) {
        store.put(VerifiedChunk.verify(universe.id(c), origin.read(universe.id(c))).orElseThrow());
      }
      for (int c : s.leaves) {
        store.put(VerifiedChunk.verify(universe.id(c), origin.read(universe.id(c))).orElseThrow());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bytes a node sends for {@code id}: its stored copy, or a corrupted one. */
  static ByteBuffer outgoing(ChunkStore store, ChunkId id, boolean corrupt) {
    try {
      ByteBuffer stored = store.read(id);
      if (!corrupt) {
        return stored;
      }
      byte[] b = new byte[stored.remaining()];
      stored.duplicate().get(b);
      b[b.length / 2] ^= 0x5A;
      return ByteBuffer.wrap(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether {@code store} reads {@code s} back byte for byte as published. */
  boolean readsBack(ChunkStore store, SnapshotModel s) {
    byte[] want = contents.get(s.root);
    try {
      SnapshotReader reader = new SnapshotReader(store, 1 << 20);
      SnapshotRoot root = reader.root(s.root);
      try (InputStream in = reader.openStream(root.data(), 0, root.data().sizeBytes())) {
        return Arrays.equals(in.readAllBytes(), want);
      }
    } catch (IOException e) {
      return false;
    }
  }
}
