package io.shoal.node.api;

import io.shoal.chunkstore.ChunkId;
import io.shoal.chunkstore.snapshot.StoreScrub;
import java.util.List;

/**
 * What a verification of the whole store found ({@code shoal verify}, offline or through the node's
 * {@code POST /verify}).
 *
 * @param snapshots one per snapshot of the catalog
 * @param damagedChunks damaged chunks over all of them, each now dropped
 */
public record Verified(List<Checked> snapshots, long damagedChunks) {
  /**
   * What was found in one snapshot.
   *
   * @param chunksChecked chunks read and verified (damaged ones included)
   * @param bytesChecked their payload bytes
   * @param damaged ids (hex) of the chunks whose bytes no longer match, now dropped
   * @param chunksMissing chunks the store does not hold (a partial snapshot)
   */
  public record Checked(
      String name,
      long version,
      long chunksChecked,
      long bytesChecked,
      List<String> damaged,
      long chunksMissing) {}

  /** The answer for {@code reports}, in their order. */
  public static Verified of(List<StoreScrub.SnapshotReport> reports) {
    List<Checked> checked =
        reports.stream()
            .map(
                r ->
                    new Checked(
                        r.name(),
                        r.version(),
                        r.chunksChecked(),
                        r.bytesChecked(),
                        r.damaged().stream().map(ChunkId::toHex).toList(),
                        r.chunksMissing()))
            .toList();
    return new Verified(checked, checked.stream().mapToLong(c -> c.damaged().size()).sum());
  }
}
