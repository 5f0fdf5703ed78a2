package io.shoal.chunkstore;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code NAME} or {@code NAME@VERSION}, as users write it.
 *
 * @param name the snapshot name
 * @param version the version, or empty for "the newest"
 */
public record SnapshotRef(String name, OptionalLong version) {

  /**
   * Parses {@code NAME[@VERSION]}.
   *
   * @throws IllegalArgumentException naming the text when it is malformed
   */
  public static SnapshotRef parse(String text) {
    int at = text.lastIndexOf('@');
    if (at < 0) {
      return new SnapshotRef(SnapshotName.check(text), OptionalLong.empty());
    }
    String name = SnapshotName.check(text.substring(0, at));
    try {
      return new SnapshotRef(
          name, OptionalLong.of(SnapshotName.checkVersion(Long.parseLong(text.substring(at + 1)))));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad version in '" + text + "': want NAME@NUMBER", e);
    }
  }

  /** The catalog entry this names: the given version, or the newest complete one. */
  public Optional<CatalogEntry> resolve(Catalog catalog) {
    return version.isPresent()
        ? catalog.get(name, version.getAsLong())
        : catalog.latestComplete(name);
  }

  @Override
  public String toString() {
    return version.isPresent() ? name + "@" + version.getAsLong() : name;
  }
}
