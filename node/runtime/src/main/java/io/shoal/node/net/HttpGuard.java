package io.shoal.node.net;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link HttpAccess} to each request on one connection, on the event loop, between the HTTP
 * codec and the body aggregator: a refused request is answered with one line of JSON and the
 * connection closed, and its body (and anything after it) is released unread, so no handler runs
 * and no body is buffered or parsed. Every refusal is counted in {@code
 * shoal_http_refused_total{reason}} and logged once per reason per {@link #LOG_INTERVAL_NANOS}.
 */
final class HttpGuard extends ChannelInboundHandlerAdapter {
  /** One log line per refusal reason per minute: a page retrying in a loop costs one line. */
  static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private static final Logger log = LoggerFactory.getLogger(HttpGuard.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Whether a route is served without the token: (method, path). */
  interface OpenRoutes {
    boolean isOpen(String method, String path);
  }

  private final HttpAccess access;
  private final OpenRoutes open;
  private final NodeMetrics metrics;
  private final LogLimiter logLimiter;
  private boolean refused;

  HttpGuard(HttpAccess access, OpenRoutes open, NodeMetrics metrics, LogLimiter logLimiter) {
    this.access = access;
    this.open = open;
    this.metrics = metrics;
    this.logLimiter = logLimiter;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg); // the rest of a refused request, or a pipelined one
      return;
    }
    if (!(msg instanceof HttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    String path = HttpApi.pathOf(request.uri());
    Optional<HttpRefusal> refusal =
        access.check(request, open.isOpen(request.method().name(), path));
    if (refusal.isEmpty()) {
      ctx.fireChannelRead(msg);
      return;
    }
    refused = true;
    ctx.channel().config().setAutoRead(false);
    ReferenceCountUtil.release(msg);
    refuse(ctx, request.method().name(), path, refusal.get());
  }

  private void refuse(ChannelHandlerContext ctx, String method, String path, HttpRefusal r) {
    count(metrics, logLimiter, ctx, method, path, r);
    writeRefusal(ctx, r.reason());
  }

  /** Counts {@code r} and logs it if its reason was not logged in the last interval. */
  static void count(
      NodeMetrics metrics,
      LogLimiter logLimiter,
      ChannelHandlerContext ctx,
      String method,
      String path,
      HttpRefusal r) {
    HttpRefusal.Reason reason = r.reason();
    metrics.httpRefused.labelValues(reason.label).inc();
    if (logLimiter.allow(reason.label, System.nanoTime())) {
      log.warn(
          "refused HTTP {} {} from {}: {}{} (logged once a minute per reason;"
              + " shoal_http_refused_total counts all)",
          method,
          HttpRefusal.printable(path),
          remoteHost(ctx),
          reason.label,
          r.detail().isEmpty() ? "" : " (" + r.detail() + ")");
    }
  }

  /** Answers {@code reason} in one line of JSON and closes the connection. */
  static void writeRefusal(ChannelHandlerContext ctx, HttpRefusal.Reason reason) {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(Map.of("error", reason.message, "reason", reason.label));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a refusal as JSON", e);
    }
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(reason.status),
            Unpooled.wrappedBuffer(body));
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    if (reason.status == 401) {
      res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"shoal\"");
    }
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }

  private static String remoteHost(ChannelHandlerContext ctx) {
    return ctx.channel().remoteAddress() instanceof InetSocketAddress a
        ? a.getAddress().getHostAddress()
        : String.valueOf(ctx.channel().remoteAddress());
  }
}
