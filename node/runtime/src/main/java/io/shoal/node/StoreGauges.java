package io.shoal.node;

import io.shoal.chunkstore.ChunkStore;
import io.shoal.node.net.NodeMetrics;

/** The store's gauges, read at scrape time. */
final class StoreGauges {
  private StoreGauges() {}

  static void register(NodeMetrics metrics, ChunkStore store) {
    metrics.gauge("shoal_store_chunks", "Chunks in the store", () -> store.stats().chunkCount());
    metrics.gauge(
        "shoal_store_chunk_bytes",
        "Payload bytes of the chunks in the store",
        () -> store.stats().chunkBytes());
    metrics.gauge(
        "shoal_store_failed",
        "1 once an fsync failed and the store refuses writes until the node restarts",
        () -> store.failure().isPresent() ? 1 : 0);
  }
}
