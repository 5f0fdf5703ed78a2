/**
 * Snapshots as Merkle DAGs over the chunk store: building one from files (publish), reading it back
 * as bytes per file, materializing it into a directory, diffing two versions, and retention with
 * garbage collection.
 *
 * <p>A snapshot is two byte streams, each stored as a tree of chunks: the data stream (every
 * regular file's bytes, concatenated in file-table order, so small files share chunks) and the file
 * table (paths, kinds, modes, sizes). A root chunk names both trees and carries the name, version,
 * publisher, creation time and hash algorithm; its id is the snapshot id.
 */
package io.shoal.chunkstore.snapshot;
