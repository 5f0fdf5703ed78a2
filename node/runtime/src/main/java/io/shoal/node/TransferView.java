package io.shoal.node;

/**
 * A fetch in progress, for {@code GET /transfers}, {@code shoal status} and progress bars.
 *
 * @param name snapshot name
 * @param version version
 * @param root snapshot id, hex
 * @param stage {@link #METADATA}, {@link #DATA} or {@link #WRITING}
 * @param doneBytes data bytes held so far: those held when the fetch began (a resume, a shared
 *     previous version) and those verified since
 * @param totalBytes the snapshot's data bytes (0 while the metadata is still coming)
 * @param peers peers in use
 * @param bytesPerSecond current rate of verified data, smoothed over the last few seconds
 * @param etaSeconds seconds left at that rate; -1 when unknown
 * @param elapsedSeconds since the fetch began
 */
public record TransferView(
    String name,
    long version,
    String root,
    String stage,
    long doneBytes,
    long totalBytes,
    int peers,
    double bytesPerSecond,
    long etaSeconds,
    double elapsedSeconds) {
  /** Fetching the root and index nodes: the data to fetch is not known yet. */
  public static final String METADATA = "metadata";

  /** Fetching data chunks. */
  public static final String DATA = "data";

  /** Every chunk is verified; making them durable (flush, or commit of the output file). */
  public static final String WRITING = "writing";

  /** "name@version". */
  public String label() {
    return name + "@" + version;
  }
}
