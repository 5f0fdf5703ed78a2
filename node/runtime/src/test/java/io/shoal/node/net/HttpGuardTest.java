package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The guard in its pipeline, fed requests split into small buffers. */
class HttpGuardTest {
  static final String AUTH = "Authorization: Bearer " + HttpAccessTest.TOKEN.value() + "\r\n";

  private final NodeMetrics metrics = new NodeMetrics();

  /** Records the requests that get past the guard and the aggregator, and releases them. */
  static final class Recorder extends ChannelInboundHandlerAdapter {
    final List<String> seen = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpRequest r) {
        seen.add(r.method() + " " + r.uri() + " " + r.content().toString(StandardCharsets.UTF_8));
      }
      ReferenceCountUtil.release(msg);
    }
  }

  private EmbeddedChannel channel(Recorder recorder) throws Exception {
    return new EmbeddedChannel(
        new HttpServerCodec(),
        new HttpGuard(
            HttpAccessTest.access(),
            (method, path) -> path.equals("/health"),
            metrics,
            new LogLimiter(HttpGuard.LOG_INTERVAL_NANOS)),
        new HttpObjectAggregator(HttpLimits.MAX_BODY_BYTES),
        recorder);
  }

  /** Writes {@code text} in pieces of {@code pieceBytes}. */
  private static void feed(EmbeddedChannel ch, String text, int pieceBytes) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    for (int at = 0; at < bytes.length && ch.isOpen(); at += pieceBytes) {
      ch.writeInbound(Unpooled.copiedBuffer(bytes, at, Math.min(pieceBytes, bytes.length - at)));
    }
  }

  private static String written(EmbeddedChannel ch) {
    StringBuilder sb = new StringBuilder();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      sb.append(((ByteBuf) o).toString(StandardCharsets.UTF_8));
      ReferenceCountUtil.release(o);
    }
    return sb.toString();
  }

  @Test
  void channelRead_allowedRequest_reachesTheHandlerWithItsBody() throws Exception {
    Recorder recorder = new Recorder();
    EmbeddedChannel ch = channel(recorder);

    feed(
        ch,
        "POST /publish HTTP/1.1\r\nHost: 127.0.0.1:7421\r\n"
            + AUTH
            + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        7);

    assertThat(recorder.seen).containsExactly("POST /publish {}");
    assertThat(ch.isOpen()).isTrue();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void channelRead_refusedRequest_bodyIsReleasedUnread_andTheConnectionCloses() throws Exception {
    Recorder recorder = new Recorder();
    EmbeddedChannel ch = channel(recorder);
    String body = "{\"name\":\"x\",\"path\":\"/etc/shadow\"}".repeat(100);

    feed(
        ch,
        "POST /publish HTTP/1.1\r\nHost: 127.0.0.1:7421\r\nContent-Type: text/plain\r\n"
            + AUTH
            + "Content-Length: "
            + body.length()
            + "\r\n\r\n"
            + body
            + "GET /health HTTP/1.1\r\nHost: 127.0.0.1:7421\r\n\r\n",
        5);

    String reply = written(ch);
    assertThat(reply)
        .startsWith("HTTP/1.1 403 Forbidden")
        .containsIgnoringCase("connection: close")
        .contains("\"reason\":\"content_type\"")
        .doesNotContainIgnoringCase("access-control-");
    assertThat(recorder.seen).as("nothing after a refusal reaches a handler").isEmpty();
    assertThat(ch.isOpen()).isFalse();
    assertThat(metrics.scrape()).contains("shoal_http_refused_total{reason=\"content_type\"} 1.0");
    ch.finishAndReleaseAll();
  }

  @Test
  void channelRead_missingToken_is401WithChallenge() throws Exception {
    Recorder recorder = new Recorder();
    EmbeddedChannel ch = channel(recorder);

    feed(ch, "GET /status HTTP/1.1\r\nHost: 127.0.0.1:7421\r\n\r\n", 3);

    assertThat(written(ch))
        .startsWith("HTTP/1.1 401 Unauthorized")
        .containsIgnoringCase("www-authenticate: Bearer");
    assertThat(recorder.seen).isEmpty();
    ch.finishAndReleaseAll();
  }

  @Test
  void channelRead_openRoute_isServedWithoutToken() throws Exception {
    Recorder recorder = new Recorder();
    EmbeddedChannel ch = channel(recorder);

    feed(ch, "GET /health HTTP/1.1\r\nHost: localhost:7421\r\n\r\n", 4);

    assertThat(recorder.seen).containsExactly("GET /health ");
    ch.finishAndReleaseAll();
  }
}
