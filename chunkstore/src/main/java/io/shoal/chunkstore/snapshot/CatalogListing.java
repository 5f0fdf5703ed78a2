package io.shoal.chunkstore.snapshot;

import io.shoal.chunkstore.CatalogEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The catalog as {@code shoal ls} shows it, with what each version shares with the one before. */
public final class CatalogListing {
  /**
   * One version.
   *
   * @param name snapshot name
   * @param version version
   * @param root snapshot id, hex
   * @param complete whether every chunk is held
   * @param sizeBytes bytes of all files
   * @param sharedBytes data bytes also in the previous version, or -1 when there is none
   * @param createdMillis publication time
   */
  public record Listed(
      String name,
      long version,
      String root,
      boolean complete,
      long sizeBytes,
      long sharedBytes,
      long createdMillis) {}

  private CatalogListing() {}

  public static List<Listed> list(SnapshotReader reader) {
    List<Listed> listed = new ArrayList<>();
    CatalogEntry previous = null;
    for (CatalogEntry e : reader.store().catalog().entries()) {
      boolean hasPrevious = previous != null && previous.name().equals(e.name());
      long shared = hasPrevious ? shared(reader, previous, e) : -1;
      listed.add(
          new Listed(
              e.name(),
              e.version(),
              e.root().toHex(),
              e.complete(),
              e.sizeBytes(),
              shared,
              e.createdMillis()));
      previous = e;
    }
    return listed;
  }

  private static long shared(SnapshotReader reader, CatalogEntry previous, CatalogEntry current) {
    if (!previous.complete() || !current.complete()) {
      return -1;
    }
    try {
      return SnapshotDiff.between(reader, previous.root(), current.root()).sharedDataBytes();
    } catch (IOException e) {
      return -1;
    }
  }
}
