package io.shoal.node.net;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writing a whole response, and the response an outcome of a handler maps to. */
final class HttpReplies {
  private static final Logger log = LoggerFactory.getLogger(HttpReplies.class);

  private HttpReplies() {}

  /** Writes {@code r}; for a HEAD request its headers only (Content-Length as GET's body). */
  static void reply(
      ChannelHandlerContext ctx, HttpApi.Response r, boolean keepAlive, boolean head) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(r.status()),
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
    r.headers().forEach(res.headers()::set);
    if (keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(res);
    } else {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** What {@code h} answers to {@code r}, as a completed future (failed if it threw). */
  static CompletableFuture<HttpApi.Response> completed(HttpApi.Handler h, HttpApi.Request r) {
    try {
      return CompletableFuture.completedFuture(h.handle(r));
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The response a handler's completed {@code outcome} answers: its value, or for an error 400
   * (IllegalArgumentException), 404 ({@link NotFoundException}, NoSuchFileException), 409 ({@link
   * ConflictException}), 503 (the worker pool was full, or {@link RetryLaterException}, with {@code
   * Retry-After}) or 500.
   */
  static HttpApi.Response outcome(CompletableFuture<HttpApi.Response> outcome, HttpApi.Request r) {
    try {
      return outcome.join();
    } catch (CompletionException | CancellationException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof IllegalArgumentException) {
        return HttpApi.Response.error(400, cause.getMessage());
      }
      if (cause instanceof ConflictException) {
        return HttpApi.Response.error(409, cause.getMessage());
      }
      if (cause instanceof NotFoundException) {
        return HttpApi.Response.error(404, cause.getMessage());
      }
      if (cause instanceof NoSuchFileException) {
        return HttpApi.Response.error(404, "no such file in the snapshot: " + cause.getMessage());
      }
      if (cause instanceof RetryLaterException t) {
        HttpApi.Response busy = HttpApi.Response.error(503, t.getMessage());
        return new HttpApi.Response(
            503,
            busy.contentType(),
            busy.body(),
            Map.of(HttpHeaderNames.RETRY_AFTER.toString(), Long.toString(t.retryAfterSeconds())));
      }
      if (cause instanceof RejectedExecutionException) {
        return HttpApi.Response.error(503, HttpRefusal.Reason.BUSY.message);
      }
      log.debug("HTTP {} {} failed: {}", r.method(), r.path(), cause.toString());
      return HttpApi.Response.error(
          500, cause.getMessage() == null ? cause.toString() : cause.getMessage());
    }
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
