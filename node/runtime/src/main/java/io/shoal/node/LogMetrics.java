package io.shoal.node;

import io.prometheus.metrics.core.metrics.Counter;
import io.shoal.node.net.NodeMetrics;

/** The change logs' metrics: appends and seals on the writer, the streamed tail on both sides. */
final class LogMetrics {
  final Counter appended;
  final Counter appendedBytes;
  final Counter sealedSegments;
  final Counter tailServed;
  final Counter tailReceived;
  final Counter tailReceivedBytes;
  final NodeMetrics node;

  LogMetrics(NodeMetrics metrics) {
    this.node = metrics;
    appended =
        counter(
            metrics,
            "shoal_log_appended_records_total",
            "Records appended to this node's change logs");
    appendedBytes =
        counter(
            metrics,
            "shoal_log_appended_bytes_total",
            "Bytes of records appended to this node's change logs");
    sealedSegments =
        counter(metrics, "shoal_log_segments_sealed_total", "Change log segments this node sealed");
    tailServed =
        counter(
            metrics,
            "shoal_log_tail_sent_records_total",
            "Records of own logs streamed to followers ahead of their segments");
    tailReceived =
        counter(
            metrics,
            "shoal_log_tail_received_records_total",
            "Records of replicated logs their writers streamed here ahead of their segments");
    tailReceivedBytes =
        counter(
            metrics,
            "shoal_log_tail_received_bytes_total",
            "Bytes of records that writers streamed here, whether kept or held already");
  }

  private static Counter counter(NodeMetrics metrics, String name, String help) {
    return Counter.builder().name(name).help(help).register(metrics.registry());
  }
}
