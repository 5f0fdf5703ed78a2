package io.shoal.chunkstore.snapshot;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.ChunkNotFoundException;
import io.shoal.chunkstore.ChunkStore;
import io.shoal.chunkstore.FormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Reads snapshots out of a store: roots, index nodes, file tables, and the bytes of files. Parsed
 * index nodes and file tables are cached, bounded by bytes.
 *
 * <p>Thread-safe. Methods block on the store's disk reads.
 */
public final class SnapshotReader {
  /** Default bound of the parsed-node and file-table caches together. */
  public static final long DEFAULT_CACHE_BYTES = 32L << 20;

  /** Largest file table read whole into memory. */
  public static final long MAX_FILE_TABLE_BYTES = 1L << 30;

  /** Most data chunks one tree may have: 64 Mi (4 TiB at 64 KiB), as a fetch's bitmap allows. */
  public static final long MAX_LEAVES = 1L << 26;

  /**
   * Most distinct index nodes one tree may have: 1 Mi, four times what {@link #MAX_LEAVES} needs at
   * the average fan-out of 256.
   */
  public static final int MAX_INDEX_NODES = 1 << 20;

  /** Most nodes one {@link #walk} visits (references, so a repeated subtree counts each time). */
  public static final long MAX_WALK_VISITS = 2 * MAX_LEAVES;

  /** First buffer of a file table read, grown by doubling as its chunks arrive. */
  static final int FILE_TABLE_FIRST_BUFFER_BYTES = 64 * 1024;

  private final ChunkStore store;
  private final Cache<ChunkId, IndexNode> nodes;
  private final Cache<ChunkId, FileTable> tables;

  public SnapshotReader(ChunkStore store) {
    this(store, DEFAULT_CACHE_BYTES);
  }

  public SnapshotReader(ChunkStore store, long cacheBytes) {
    this.store = store;
    this.nodes =
        Caffeine.newBuilder()
            .maximumWeight(cacheBytes / 2)
            .<ChunkId, IndexNode>weigher((k, v) -> v.heapBytes())
            .build();
    this.tables =
        Caffeine.newBuilder()
            .maximumWeight(cacheBytes / 2)
            .<ChunkId, FileTable>weigher((k, v) -> 64 + v.size() * 96)
            .build();
  }

  public ChunkStore store() {
    return store;
  }

  /** Reads and decodes a snapshot root. */
  public SnapshotRoot root(ChunkId id) throws IOException {
    return SnapshotRoot.decode(id, store.read(id));
  }

  /**
   * Reads and decodes an index node of the given level, checking that the sum of its children's
   * spans is the {@code spanBytes} its parent (or the tree's size, for the top) declares for it.
   *
   * @throws SnapshotStructureException when the spans differ
   */
  public IndexNode indexNode(ChunkId id, int level, long spanBytes) throws IOException {
    IndexNode node = nodes.getIfPresent(id);
    if (node == null) {
      node = IndexNode.decode(id, level, store.read(id));
      nodes.put(id, node);
    } else if (node.level() != level) {
      throw new FormatException(
          "index node " + id + " has level " + node.level() + ", expected " + level);
    }
    if (node.totalSpan() != spanBytes) {
      throw spanMismatch(id, node.totalSpan(), spanBytes);
    }
    return node;
  }

  static SnapshotStructureException spanMismatch(ChunkId id, long actual, long declared) {
    return new SnapshotStructureException(
        "index node "
            + id
            + " spans "
            + actual
            + " bytes below it, but its parent says "
            + declared);
  }

  /**
   * Checks a data chunk of a tree against the span its parent declares: the store's chunk must be
   * that long.
   *
   * @throws ChunkNotFoundException when the store lacks it
   * @throws SnapshotStructureException when its length differs
   */
  public void checkLeaf(ChunkId id, long spanBytes) throws IOException {
    int length = store.length(id);
    if (length < 0) {
      throw new ChunkNotFoundException(id);
    }
    if (length != spanBytes) {
      throw new SnapshotStructureException(
          "data chunk " + id + " is " + length + " bytes, but its parent says " + spanBytes);
    }
  }

  /** Reads and decodes the snapshot's file table, checking it against the data tree. */
  public FileTable fileTable(SnapshotRoot root) throws IOException {
    ChunkId key = root.fileTable().root();
    FileTable cached = tables.getIfPresent(key);
    if (cached != null && cached.dataBytes() == root.data().sizeBytes()) {
      return cached;
    }
    FileTable table = FileTable.decode(readFileTable(root), root.label());
    if (table.dataBytes() != root.data().sizeBytes() || table.size() != root.entryCount()) {
      throw new FormatException(
          "file table of "
              + root.label()
              + " lists "
              + table.dataBytes()
              + " bytes in "
              + table.size()
              + " entries, but the root says "
              + root.data().sizeBytes()
              + " in "
              + root.entryCount());
    }
    tables.put(key, table);
    return table;
  }

  /**
   * The file table's bytes. Its declared size is only a claim: each chunk is checked against the
   * span its parent gives it before room is made for it, and the buffer grows with the bytes that
   * arrive, so a 1 GiB claim backed by one small chunk costs that chunk, not 1 GiB.
   */
  private ByteBuffer readFileTable(SnapshotRoot root) throws IOException {
    long size = root.fileTable().sizeBytes();
    if (size > MAX_FILE_TABLE_BYTES) {
      throw new FormatException(
          "file table of " + root.label() + " is " + size + " bytes, over the limit");
    }
    ByteBuffer bytes = ByteBuffer.allocate(0);
    LeafCursor cursor = new LeafCursor(this, root.fileTable(), 0);
    while (cursor.next()) {
      checkLeaf(cursor.id(), cursor.length());
      if (cursor.length() > size - bytes.position()) {
        throw new SnapshotStructureException(
            "file table of " + root.label() + " is longer than its size " + size);
      }
      bytes = withRoom(bytes, cursor.length(), size);
      store.readInto(cursor.id(), bytes);
    }
    if (bytes.position() != size) {
      throw new SnapshotStructureException(
          "file table of "
              + root.label()
              + " is "
              + bytes.position()
              + " bytes, shorter than its size "
              + size);
    }
    return bytes.flip();
  }

  /** {@code b}, or a copy with room for {@code more} bytes: doubled, at most {@code limit}. */
  private static ByteBuffer withRoom(ByteBuffer b, int more, long limit) {
    if (b.remaining() >= more) {
      return b;
    }
    long want = Math.max((long) b.position() + more, (long) b.capacity() * 2);
    want = Math.min(Math.max(want, FILE_TABLE_FIRST_BUFFER_BYTES), limit);
    ByteBuffer grown = ByteBuffer.allocate((int) want);
    grown.put(b.flip());
    return grown;
  }

  /**
   * Calls the visitor for every node of the tree, top-down in stream order, descending where it
   * says so; a child listed twice is visited twice, so a visitor over a DAG that may repeat
   * subtrees declines to descend into one it has seen. Every index node read has its span checked.
   *
   * @throws SnapshotStructureException past {@link #MAX_WALK_VISITS} visits, or on a span that does
   *     not match
   */
  public void walk(TreeRef tree, NodeVisitor visitor) throws IOException {
    TreeWalk.walk(this, tree, visitor);
  }

  /**
   * The data chunks of a tree whose index nodes the store holds all, counted without expanding a
   * repeated subtree twice, and with every span checked.
   *
   * @throws SnapshotStructureException past {@link #MAX_LEAVES} data chunks or {@link
   *     #MAX_INDEX_NODES} distinct index nodes, or on a span that does not match
   */
  public long leafCount(TreeRef tree) throws IOException {
    return TreeWalk.leafCount(this, tree);
  }

  /** Sees each node of a tree during a {@link #walk}. */
  @FunctionalInterface
  public interface NodeVisitor {
    /**
     * Called for each node: a data chunk when {@code height} is 0, else an index node.
     *
     * @return whether to descend into this index node's children
     */
    boolean visit(ChunkId id, int height, long offset, long span) throws IOException;
  }

  /** A stream of {@code length} bytes of the tree from {@code offset}. */
  public InputStream openStream(TreeRef tree, long offset, long length) throws IOException {
    if (offset < 0 || length < 0 || offset + length > tree.sizeBytes()) {
      throw new IllegalArgumentException(
          "range " + offset + "+" + length + " outside a stream of " + tree.sizeBytes());
    }
    return new TreeInputStream(this, tree, offset, length);
  }

  /** The bytes of one regular file of the snapshot. */
  public InputStream openFile(SnapshotRoot root, FileEntry file) throws IOException {
    if (file.directory()) {
      throw new IllegalArgumentException(file.path() + " is a directory");
    }
    return openStream(root.data(), file.dataOffset(), file.sizeBytes());
  }
}
