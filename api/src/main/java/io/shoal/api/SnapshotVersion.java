package io.shoal.api;

/**
 * One version of a snapshot as the node knows it: announced by a peer, or held.
 *
 * @param name the snapshot's name
 * @param version its version number
 * @param root the snapshot's id (hex)
 * @param sizeBytes its size, or 0 while only its announcement is known
 * @param complete whether the node holds every chunk of it
 */
public record SnapshotVersion(
    String name, long version, String root, long sizeBytes, boolean complete) {
  /** {@code name@version}, as {@link Shoal#restore} takes it. */
  public String ref() {
    return name + "@" + version;
  }
}
