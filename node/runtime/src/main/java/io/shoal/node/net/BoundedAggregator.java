package io.shoal.node.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * Netty's aggregator, which answers a request body over its bound with 413 and closes, with that
 * refusal counted as {@code shoal_http_refused_total{reason="too_large"}}.
 */
final class BoundedAggregator extends HttpObjectAggregator {
  private final NodeMetrics metrics;

  BoundedAggregator(int maxBodyBytes, NodeMetrics metrics) {
    super(maxBodyBytes);
    this.metrics = metrics;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
      throws Exception {
    metrics.httpRefused.labelValues(HttpRefusal.Reason.TOO_LARGE.label).inc();
    super.handleOversizedMessage(ctx, oversized);
  }
}
