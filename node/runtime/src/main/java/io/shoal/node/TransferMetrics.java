package io.shoal.node;

import io.shoal.chunkstore.ChunkId;
import io.shoal.node.net.NodeMetrics;
import java.util.Map;
import java.util.function.IntSupplier;

/** The transfer gauges: fetches in progress, what they lack, the upload queue, compression. */
final class TransferMetrics {
  private TransferMetrics() {}

  static void register(
      NodeMetrics metrics,
      Map<ChunkId, FetchJob> jobs,
      IntSupplier uploadQueued,
      CompressionPolicy compression) {
    metrics.gauge("shoal_transfer_active_fetches", "Snapshots being fetched", jobs::size);
    metrics.gauge(
        "shoal_transfer_fetch_remaining_bytes",
        "Bytes the fetches in progress still lack",
        () -> jobs.values().stream().mapToLong(j -> j.totalBytes - j.doneBytes).sum());
    metrics.gauge(
        "shoal_transfer_upload_queued_requests",
        "Chunk requests from peers waiting to be served",
        uploadQueued::getAsInt);
    metrics.gauge(
        "shoal_transfer_compression_ratio",
        "Compressed to raw size of recently tried chunks (moving average)",
        compression::ratio);
  }
}
