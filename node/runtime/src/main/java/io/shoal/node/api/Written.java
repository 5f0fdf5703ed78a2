package io.shoal.node.api;

/**
 * What a materialization wrote.
 *
 * @param name snapshot name
 * @param version version
 * @param root snapshot id, hex
 * @param path where it went
 * @param sizeBytes the snapshot's size
 * @param files regular files written
 * @param writtenBytes bytes written
 * @param seconds time taken
 * @param logOffset where a replay of the change log of the same name starts: the snapshot holds the
 *     state before that record; -1 when it records none
 * @param fetchedBytes the chunk bytes fetched from peers for it; 0 when the node held them
 */
public record Written(
    String name,
    long version,
    String root,
    String path,
    long sizeBytes,
    long files,
    long writtenBytes,
    double seconds,
    long logOffset,
    long fetchedBytes) {

  /** What a materialization that fetched nothing wrote. */
  public Written(
      String name,
      long version,
      String root,
      String path,
      long sizeBytes,
      long files,
      long writtenBytes,
      double seconds,
      long logOffset) {
    this(name, version, root, path, sizeBytes, files, writtenBytes, seconds, logOffset, 0);
  }

  /** What a materialization of a snapshot that records no log offset wrote. */
  public Written(
      String name,
      long version,
      String root,
      String path,
      long sizeBytes,
      long files,
      long writtenBytes,
      double seconds) {
    this(name, version, root, path, sizeBytes, files, writtenBytes, seconds, -1);
  }
}
