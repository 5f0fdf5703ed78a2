package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkNotFoundException;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.CorruptChunkException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Reads every chunk of every snapshot in a store from disk (bypassing the chunk cache, which would
 * hide damage) and verifies it against its id. A damaged chunk is dropped by the store's own read
 * path ({@link CorruptChunkException}), so it reads as missing and is fetched again; the subtree
 * under a damaged index node cannot be walked and is left for after that refetch.
 *
 * <p>Not thread-safe; one scrub at a time per instance.
 */
public final class StoreScrub {
  /**
   * What a scrub found in one snapshot.
   *
   * @param chunksChecked chunks read and verified (damaged ones included)
   * @param bytesChecked their payload bytes
   * @param damaged chunks whose bytes no longer match their id, now dropped
   * @param chunksMissing chunks the store does not hold (a partial snapshot)
   */
  public record SnapshotReport(
      String name,
      long version,
      long chunksChecked,
      long bytesChecked,
      List<ChunkId> damaged,
      long chunksMissing) {
    public String label() {
      return name + "@" + version;
    }
  }

  private final SnapshotReader reader;
  private final ChunkStore store;
  private final LongConsumer afterRead;
  private final Set<ChunkId> damagedSoFar = new HashSet<>();

  /**
   * @param afterRead told the bytes of each chunk read; may block to pace the scrub
   */
  public StoreScrub(SnapshotReader reader, LongConsumer afterRead) {
    this.reader = reader;
    this.store = reader.store();
    this.afterRead = afterRead;
  }

  /** Scrubs every snapshot in the catalog. */
  public List<SnapshotReport> all() throws IOException {
    List<SnapshotReport> reports = new ArrayList<>();
    for (CatalogEntry e : store.catalog().entries()) {
      reports.add(snapshot(e));
    }
    return reports;
  }

  /** Scrubs one snapshot. */
  public SnapshotReport snapshot(CatalogEntry entry) throws IOException {
    Tally t = new Tally();
    if (check(entry.root(), t)) {
      SnapshotRoot root = reader.root(entry.root());
      for (TreeRef tree : List.of(root.fileTable(), root.data())) {
        reader.walk(tree, (id, height, offset, span) -> check(id, t) && height > 0);
      }
    }
    return new SnapshotReport(
        entry.name(), entry.version(), t.chunks, t.bytes, List.copyOf(t.damaged), t.missing);
  }

  /** Reads and verifies one chunk; true when it is sound (so its children can be walked). */
  private boolean check(ChunkId id, Tally t) throws IOException {
    if (damagedSoFar.contains(id)) {
      t.damaged.add(id);
      return false;
    }
    int length = store.length(id);
    if (length < 0) {
      t.missing++;
      return false;
    }
    t.chunks++;
    t.bytes += length;
    try {
      store.readInto(id, ByteBuffer.allocate(length));
      return true;
    } catch (ChunkNotFoundException e) {
      t.missing++; // collected meanwhile
      return false;
    } catch (CorruptChunkException e) {
      damagedSoFar.add(id);
      t.damaged.add(id);
      return false;
    } finally {
      afterRead.accept(length);
    }
  }

  private static final class Tally {
    long chunks;
    long bytes;
    long missing;
    final List<ChunkId> damaged = new ArrayList<>();
  }
}
