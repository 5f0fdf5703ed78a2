package io.shoal.node.api;

import io.shoal.chunkstore.CatalogEntry;
import java.util.List;

/**
 * What {@code shoal rm} removed from the catalog. The chunks stay in the store until {@code shoal
 * gc} reclaims those no other snapshot uses.
 *
 * @param name snapshot name
 * @param versions the versions removed, oldest first
 * @param sizeBytes their sizes added up: at most what gc can reclaim of them
 */
public record Removed(String name, List<Long> versions, long sizeBytes) {
  /** What removing {@code entries}, versions of {@code name}, did. */
  public static Removed of(String name, List<CatalogEntry> entries) {
    return new Removed(
        name,
        entries.stream().map(CatalogEntry::version).toList(),
        entries.stream().mapToLong(CatalogEntry::sizeBytes).sum());
  }
}
