package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The HTTP API's streams, idle timeout and bounds, on loopback with bodies made by the test. */
class HttpApiStreamTest {
  static final Duration SHORT_IDLE = Duration.ofMillis(500);
  static final Duration BOUND = Duration.ofSeconds(10);
  static final int SMALL_RECEIVE_BUFFER_BYTES = 4096;
  static final int PIECE_BYTES = 64 * 1024;

  private final EventLoopGroup loops =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ThreadPoolExecutor workers =
      new ThreadPoolExecutor(2, 2, 1, TimeUnit.SECONDS, new ArrayBlockingQueue<>(2));
  private final NodeMetrics metrics = new NodeMetrics();
  private final List<Socket> sockets = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpApi api;
  private InetSocketAddress at;

  @AfterEach
  void stop() throws IOException {
    release.countDown();
    for (Socket s : sockets) {
      s.close();
    }
    if (api != null) {
      api.close();
    }
    workers.shutdownNow();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** A body that counts what it gave and whether it was closed. */
  private static class Probe implements HttpBody {
    final AtomicLong pieces = new AtomicLong();
    final AtomicBoolean closed = new AtomicBoolean();
    private final boolean produces;

    Probe(boolean produces) {
      this.produces = produces;
    }

    @Override
    public CompletableFuture<byte[]> next() {
      if (!produces) {
        return new CompletableFuture<>(); // a chunk that never arrives
      }
      pieces.incrementAndGet();
      return CompletableFuture.completedFuture(new byte[PIECE_BYTES]);
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  private void serve(Duration idle, HttpBody body) throws IOException {
    api =
        new HttpApi(metrics, idle)
            .streamUnder(
                "/s/",
                (r, worker) ->
                    CompletableFuture.completedFuture(
                        new HttpApi.StreamReply(
                            200, "application/octet-stream", Long.MAX_VALUE, Map.of(), body)),
                true)
            .route(
                "GET",
                "/slow",
                true,
                r -> {
                  release.await();
                  return HttpApi.Response.text("done", "text/plain");
                })
            .openRoute("/health", false, r -> HttpApi.Response.text("ok\n", "text/plain"));
    at =
        api.bind(
            loops,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            workers,
            null,
            bound ->
                new HttpAccess(
                    HttpAccessTest.TOKEN,
                    AllowedHosts.of("127.0.0.1", bound, List.of(), false),
                    List.of()));
  }

  private Socket send(String request) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.setReceiveBufferSize(SMALL_RECEIVE_BUFFER_BYTES);
    s.connect(at);
    s.setSoTimeout((int) BOUND.toMillis());
    OutputStream out = s.getOutputStream();
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return s;
  }

  private Socket get(String path) throws IOException {
    return send(
        "GET "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + at.getPort()
            + "\r\n"
            + HttpGuardTest.AUTH
            + "Connection: close\r\n\r\n");
  }

  /** Reads until the server closes; what it sent. */
  private static String readAll(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder sb = new StringBuilder();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        sb.append(new String(buf, 0, Math.min(n, 200), StandardCharsets.ISO_8859_1));
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError(
          "no answer and no close within " + BOUND + " (a stuck loop or handler); got: " + sb, e);
    } catch (SocketException reset) {
      // closed with unread bytes: a reset is the end too
    }
    return sb.toString();
  }

  private double refused(String reason) {
    return metrics.httpRefused.labelValues(reason).get();
  }

  @Test
  @DisplayName("a stream whose data never comes is closed after the idle timeout, releasing it")
  void stream_dataNeverComes_isClosedAfterIdleTimeout() throws Exception {
    Probe body = new Probe(false);
    serve(SHORT_IDLE, body);

    Socket s = get("/s/x");

    assertThat(readAll(s)).startsWith("HTTP/1.1 200");
    await().atMost(BOUND).until(() -> body.closed.get() && api.openStreams() == 0);
    assertThat(metrics.httpStreamsCut.get()).isEqualTo(1.0);
  }

  @Test
  @DisplayName(
      "a client that stops reading holds no worker, buffers a bounded amount, and is cut after the"
          + " idle timeout")
  void stream_clientStopsReading_holdsNoWorker_andIsCut() throws Exception {
    Probe body = new Probe(true);
    serve(SHORT_IDLE, body);

    get("/s/x");

    await().atMost(BOUND).until(() -> body.closed.get() && api.openStreams() == 0);
    assertThat(workers.getActiveCount()).isZero();
    // The kernel buffers on both sides take some; the node itself holds its write buffer and one
    // piece. A stream that kept producing would have made far more.
    assertThat(body.pieces.get() * PIECE_BYTES).isLessThan(64L << 20);
  }

  @Test
  @DisplayName("a HEAD of a stream sends the head and takes no piece of the body")
  void stream_head_takesNoPieceOfTheBody() throws Exception {
    Probe body = new Probe(true);
    serve(HttpLimits.IDLE_TIMEOUT, body);

    Socket s =
        send(
            "HEAD /s/x HTTP/1.1\r\nHost: 127.0.0.1:"
                + at.getPort()
                + "\r\n"
                + HttpGuardTest.AUTH
                + "Connection: close\r\n\r\n");

    // Netty's codec drops a HEAD response's body on the wire, so only the body shows the waste.
    await().atMost(BOUND).until(() -> body.closed.get() || body.pieces.get() > 0);
    assertThat(body.pieces.get()).as("pieces of the body taken to answer a HEAD").isZero();
    assertThat(readAll(s)).startsWith("HTTP/1.1 200");
  }

  @Test
  @DisplayName("past MAX_STREAMS open streams, another is refused with 503 and counted")
  void streams_pastTheLimit_areRefused503() throws Exception {
    serve(HttpLimits.IDLE_TIMEOUT, new Probe(false));
    for (int i = 0; i < HttpLimits.MAX_STREAMS; i++) {
      get("/s/" + i);
    }
    await().atMost(BOUND).until(() -> api.openStreams() == HttpLimits.MAX_STREAMS);

    String refused = readAll(get("/s/more"));

    assertThat(refused).startsWith("HTTP/1.1 503").contains("\"reason\":\"streams\"");
    assertThat(refused("streams")).isEqualTo(1.0);
  }

  @Test
  @DisplayName("with the worker pool and its queue full, a request is refused with 503 busy")
  void request_workerPoolFull_isRefused503Busy() throws Exception {
    serve(HttpLimits.IDLE_TIMEOUT, new Probe(false));
    for (int i = 0; i < 4; i++) { // two running, two queued
      get("/slow");
    }
    await().atMost(BOUND).until(() -> workers.getQueue().size() == 2);

    assertThat(readAll(get("/slow"))).startsWith("HTTP/1.1 503").contains("\"reason\":\"busy\"");
    assertThat(readAll(get("/health"))).startsWith("HTTP/1.1 200"); // the event loop still answers
    assertThat(refused("busy")).isEqualTo(1.0);
  }

  @Test
  @DisplayName("a request line, headers or a body past their bounds answer 414, 431 and 413")
  void request_pastItsBounds_isRefusedAndCounted() throws Exception {
    serve(HttpLimits.IDLE_TIMEOUT, new Probe(false));
    String host = "Host: 127.0.0.1:" + at.getPort() + "\r\n";

    String longLine =
        readAll(send("GET /" + "a".repeat(HttpLimits.MAX_INITIAL_LINE_BYTES) + " HTTP/1.1\r\n"));
    String bigHeaders =
        readAll(
            send(
                "GET /health HTTP/1.1\r\n"
                    + host
                    + "X-Big: "
                    + "b".repeat(HttpLimits.MAX_HEADER_BYTES)
                    + "\r\n\r\n"));
    String bigBody =
        readAll(
            send(
                "POST /slow HTTP/1.1\r\n"
                    + host
                    + HttpGuardTest.AUTH
                    + "Connection: close\r\nContent-Type: application/json\r\nContent-Length: "
                    + (HttpLimits.MAX_BODY_BYTES + 1)
                    + "\r\n\r\n"));

    assertThat(longLine).startsWith("HTTP/1.1 414");
    assertThat(bigHeaders).startsWith("HTTP/1.1 431");
    assertThat(bigBody).startsWith("HTTP/1.1 413");
    assertThat(refused("uri_too_long"))
        .as("shoal_http_refused_total{reason=\"uri_too_long\"}")
        .isEqualTo(1.0);
    assertThat(refused("headers_too_large"))
        .as("shoal_http_refused_total{reason=\"headers_too_large\"}")
        .isEqualTo(1.0);
    assertThat(refused("too_large"))
        .as("shoal_http_refused_total{reason=\"too_large\"}")
        .isEqualTo(1.0);
  }
}
