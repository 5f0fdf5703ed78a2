package io.shoal.chunkstore;

import java.util.Comparator;
import java.util.Objects;

/**
 * One snapshot version a node holds.
 *
 * @param name the snapshot name
 * @param version the version, from 1
 * @param root the root id, which is the snapshot id
 * @param complete whether every chunk of the snapshot is in the store
 * @param sizeBytes logical size: the bytes of all files in the snapshot
 * @param createdMillis when the publisher made it, milliseconds since the epoch
 * @param provenance who published it, with the proof; {@link Provenance#NONE} when unsigned
 */
public record CatalogEntry(
    String name,
    long version,
    ChunkId root,
    boolean complete,
    long sizeBytes,
    long createdMillis,
    Provenance provenance) {

  /** Name, then version: the order of every listing. */
  public static final Comparator<CatalogEntry> BY_NAME_AND_VERSION =
      Comparator.comparing(CatalogEntry::name).thenComparingLong(CatalogEntry::version);

  public CatalogEntry {
    SnapshotName.check(name);
    SnapshotName.checkVersion(version);
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(provenance, "provenance");
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("negative size " + sizeBytes + " for " + name);
    }
  }

  /** An entry without a publisher's proof (insecure nodes, and local publications). */
  public CatalogEntry(
      String name,
      long version,
      ChunkId root,
      boolean complete,
      long sizeBytes,
      long createdMillis) {
    this(name, version, root, complete, sizeBytes, createdMillis, Provenance.NONE);
  }

  /** {@code name@version}. */
  public String label() {
    return name + "@" + version;
  }

  /** The same entry marked complete. */
  public CatalogEntry asComplete() {
    return new CatalogEntry(name, version, root, true, sizeBytes, createdMillis, provenance);
  }

  /** The same entry with a publisher's proof. */
  public CatalogEntry withProvenance(Provenance p) {
    return new CatalogEntry(name, version, root, complete, sizeBytes, createdMillis, p);
  }
}
