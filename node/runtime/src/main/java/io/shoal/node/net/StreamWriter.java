package io.shoal.node.net;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one streamed response on its connection at the client's pace: the next piece of the body
 * is asked for (on a worker) only when the previous one is written and the channel is writable, and
 * writing resumes from {@code channelWritabilityChanged}. So a client that reads slowly, or not at
 * all, holds no thread: only its connection's write buffer and one piece. The connection closes
 * when the body ends (the response says {@code Connection: close}). Event loop only, except {@link
 * #ask}, which runs on a worker.
 */
final class StreamWriter {
  private static final Logger log = LoggerFactory.getLogger(StreamWriter.class);

  private final ChannelHandlerContext ctx;
  private final Executor worker;
  private final HttpBody body;
  private final Runnable finished;
  private boolean pending;
  private boolean done;

  /**
   * @param worker runs {@link HttpBody#next}
   * @param finished called once when the response ends or is cut (releases its slot)
   */
  StreamWriter(ChannelHandlerContext ctx, Executor worker, HttpBody body, Runnable finished) {
    this.ctx = ctx;
    this.worker = worker;
    this.body = body;
    this.finished = finished;
  }

  /** Sends the head; then the body, unless the request was a HEAD. */
  void start(HttpApi.StreamReply reply, boolean head) {
    DefaultHttpResponse res =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.status()));
    if (reply.contentType() != null) {
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
    }
    res.headers().set(HttpHeaderNames.CONTENT_LENGTH, reply.contentLength());
    reply.headers().forEach((k, v) -> res.headers().set(k, v));
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.write(res);
    if (head) {
      end();
      return;
    }
    ctx.flush();
    pump();
  }

  /** The channel's writability changed: go on if it can take more. */
  void writabilityChanged() {
    pump();
  }

  /** The connection closed: stop, and release the body. */
  void closed() {
    finish();
  }

  private void pump() {
    if (done || pending || !ctx.channel().isWritable()) {
      return;
    }
    pending = true;
    worker.execute(this::ask);
  }

  private void ask() {
    CompletableFuture<byte[]> piece;
    try {
      piece = body.next();
    } catch (RuntimeException e) {
      piece = CompletableFuture.failedFuture(e);
    }
    piece.whenComplete((bytes, error) -> ctx.executor().execute(() -> onPiece(bytes, error)));
  }

  private void onPiece(byte[] bytes, Throwable error) {
    pending = false;
    if (done) {
      return;
    }
    if (error != null) {
      // The head is out: the body is cut short; a client sees a short read, not corrupt bytes.
      log.debug("HTTP stream to {} cut: {}", ctx.channel().remoteAddress(), error.toString());
      finish();
      ctx.close();
      return;
    }
    if (bytes == null) {
      end();
      return;
    }
    if (bytes.length > 0) {
      ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
    }
    pump();
  }

  private void end() {
    finish();
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
  }

  private void finish() {
    if (!done) {
      done = true;
      body.close();
      finished.run();
    }
  }
}
