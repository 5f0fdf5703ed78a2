package io.shoal.chunkstore.snapshot;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.shoal.chunkstore.ChunkId;
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

  /** Reads and decodes an index node of the given level. */
  public IndexNode indexNode(ChunkId id, int level) throws IOException {
    IndexNode cached = nodes.getIfPresent(id);
    if (cached != null) {
      if (cached.level() != level) {
        throw new FormatException(
            "index node " + id + " has level " + cached.level() + ", expected " + level);
      }
      return cached;
    }
    IndexNode node = IndexNode.decode(id, level, store.read(id));
    nodes.put(id, node);
    return node;
  }

  /** Reads and decodes the snapshot's file table, checking it against the data tree. */
  public FileTable fileTable(SnapshotRoot root) throws IOException {
    ChunkId key = root.fileTable().root();
    FileTable cached = tables.getIfPresent(key);
    if (cached != null && cached.dataBytes() == root.data().sizeBytes()) {
      return cached;
    }
    long size = root.fileTable().sizeBytes();
    if (size > MAX_FILE_TABLE_BYTES) {
      throw new FormatException(
          "file table of " + root.label() + " is " + size + " bytes, over the limit");
    }
    ByteBuffer bytes = ByteBuffer.allocate((int) size);
    LeafCursor cursor = new LeafCursor(this, root.fileTable(), 0);
    while (cursor.next()) {
      if (bytes.remaining() < cursor.length()) {
        throw new FormatException("file table of " + root.label() + " is longer than its size");
      }
      store.readInto(cursor.id(), bytes);
    }
    if (bytes.hasRemaining()) {
      throw new FormatException("file table of " + root.label() + " is shorter than its size");
    }
    FileTable table = FileTable.decode(bytes.flip(), root.label());
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

  /** Calls the visitor for every node of the tree, top-down in stream order. */
  public void walk(TreeRef tree, NodeVisitor visitor) throws IOException {
    walk(tree.root(), tree.height(), 0, tree.sizeBytes(), visitor);
  }

  private void walk(ChunkId id, int height, long offset, long span, NodeVisitor visitor)
      throws IOException {
    if (!visitor.visit(id, height, offset, span) || height == 0) {
      return;
    }
    IndexNode node = indexNode(id, height);
    long childOffset = offset;
    for (int i = 0; i < node.childCount(); i++) {
      walk(node.child(i), height - 1, childOffset, node.span(i), visitor);
      childOffset += node.span(i);
    }
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
