package io.shoal.node;

/**
 * A fetch in progress, for {@code GET /transfers} and progress bars.
 *
 * @param name snapshot name
 * @param version version
 * @param root snapshot id, hex
 * @param doneBytes data bytes verified so far
 * @param totalBytes data bytes to fetch (0 while the metadata is still coming)
 * @param peers peers in use
 * @param bytesPerSecond current rate
 */
public record TransferView(
    String name,
    long version,
    String root,
    long doneBytes,
    long totalBytes,
    int peers,
    double bytesPerSecond) {}
