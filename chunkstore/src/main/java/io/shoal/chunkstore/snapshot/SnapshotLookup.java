package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.Catalog;
import io.shoal.chunkstore.CatalogEntry;
import io.shoal.chunkstore.SnapshotRef;
import java.io.IOException;
import java.util.List;

/**
 * The catalog entries {@code ls NAME[@VERSION]} and {@code rm NAME[@VERSION]} mean, with one line
 * for a name or version this store does not hold; and the removal itself. The same rules apply
 * whether a command opens the store or a node does it for the command.
 */
public final class SnapshotLookup {
  private SnapshotLookup() {}

  /**
   * The version to list: the one named, else the newest complete one, else the newest.
   *
   * @throws IllegalArgumentException when the catalog does not hold it
   */
  public static CatalogEntry toList(Catalog catalog, SnapshotRef ref) {
    List<CatalogEntry> versions = held(catalog, ref);
    if (ref.version().isEmpty()) {
      return catalog.latestComplete(ref.name()).orElse(versions.get(versions.size() - 1));
    }
    return catalog
        .get(ref.name(), ref.version().getAsLong())
        .orElseThrow(() -> noVersion(ref, versions));
  }

  /**
   * Removes the version named, or every version of the name, from the catalog; their chunks stay in
   * the store until garbage collection.
   *
   * @return the entries removed, oldest first
   * @throws IllegalArgumentException when the catalog does not hold it
   */
  public static List<CatalogEntry> remove(Catalog catalog, SnapshotRef ref) throws IOException {
    List<CatalogEntry> versions = held(catalog, ref);
    List<CatalogEntry> removed =
        ref.version().isEmpty()
            ? versions
            : List.of(
                catalog
                    .get(ref.name(), ref.version().getAsLong())
                    .orElseThrow(() -> noVersion(ref, versions)));
    for (CatalogEntry e : removed) {
      catalog.remove(e.name(), e.version());
    }
    return removed;
  }

  private static List<CatalogEntry> held(Catalog catalog, SnapshotRef ref) {
    List<CatalogEntry> versions = catalog.versions(ref.name());
    if (versions.isEmpty()) {
      throw new IllegalArgumentException(
          "no snapshot named '" + ref.name() + "' here; 'shoal ls' lists what there is");
    }
    return versions;
  }

  private static IllegalArgumentException noVersion(SnapshotRef ref, List<CatalogEntry> versions) {
    return new IllegalArgumentException(
        "no "
            + ref
            + " here; versions held: "
            + String.join(
                ", ",
                versions.stream()
                    .map(e -> e.version() + (e.complete() ? "" : " (partial)"))
                    .toList()));
  }
}
