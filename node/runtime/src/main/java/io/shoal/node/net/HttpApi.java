package io.shoal.node.net;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP API: a small router over Netty's HTTP codec. Handlers marked blocking run on the
 * given executor (bounded; a full executor answers 503), the others on the event loop; async ones
 * start on the executor and answer when their future completes, holding no thread meanwhile.
 * Responses are JSON unless a handler says otherwise. HEAD is answered on every GET route as GET
 * would be, without the body.
 *
 * <p>Streamed responses (the gateway) are written at the client's pace ({@link StreamWriter}), at
 * most {@link HttpLimits#MAX_STREAMS} at once. Every bound is in {@link HttpLimits}: request line,
 * headers, body, streams, the write buffer, and {@link HttpLimits#IDLE_TIMEOUT}, after which a
 * connection that wrote nothing (a stream whose client stopped reading or whose data stopped
 * coming, or a connection that sends no request) is closed. A request refused for a bound counts in
 * {@code shoal_http_refused_total{reason}}.
 *
 * <p>Every request first passes {@link HttpAccess} (see {@link HttpGuard}): only routes added as
 * open are served without the token. With {@link HttpTls} the API speaks HTTPS only.
 */
public final class HttpApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request: {@code path} decoded, {@code rawPath} as sent. Handlers only read the body. */
  @SuppressWarnings("ArrayRecordComponent")
  public record Request(
      String method,
      String path,
      String rawPath,
      Map<String, List<String>> query,
      Map<String, String> headers,
      byte[] body) {
    /** The body parsed as JSON into {@code type}. */
    public <T> T json(Class<T> type) {
      try {
        return JSON.readValue(body, type);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "request body is not the JSON expected: " + e.getMessage(), e);
      }
    }

    public String param(String name) {
      List<String> v = query.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** The value of header {@code name} (any case), or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** One response, with further headers (Retry-After). The body array is handed over to it. */
  @SuppressWarnings("ArrayRecordComponent")
  public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static Response json(Object value) {
      try {
        return new Response(
            200,
            "application/json",
            JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value),
            Map.of());
      } catch (IOException e) {
        throw new IllegalStateException("cannot encode a response as JSON", e);
      }
    }

    public static Response text(String text, String contentType) {
      return new Response(200, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static Response error(int status, String message) {
      try {
        return new Response(
            status, "application/json", JSON.writeValueAsBytes(Map.of("error", message)), Map.of());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Handles a request. Throwing IllegalArgumentException answers 400; other errors 500. */
  @FunctionalInterface
  public interface Handler {
    Response handle(Request request) throws Exception;
  }

  /**
   * Handles a request whose answer comes later (a fetch): started on a worker, which it must not
   * hold while it waits; the response is sent when the future completes. Errors map as {@link
   * Handler}'s.
   */
  @FunctionalInterface
  public interface AsyncHandler {
    CompletableFuture<Response> handle(Request request) throws Exception;
  }

  /**
   * Opens a streamed response (the snapshot gateway), on a worker; the future completes with its
   * head and body once known, and must not hold a thread while it waits. {@code worker} runs any
   * blocking step that follows. Errors answer as {@link Handler}'s, and {@link
   * java.nio.file.NoSuchFileException} 404.
   */
  @FunctionalInterface
  public interface StreamHandler {
    CompletableFuture<StreamReply> open(Request request, Executor worker) throws Exception;
  }

  /**
   * The head and body of a streamed response; a null content type sends none (a 304).
   *
   * @param contentLength the body's exact size in bytes
   * @param headers further headers
   */
  public record StreamReply(
      int status,
      String contentType,
      long contentLength,
      Map<String, String> headers,
      HttpBody body) {}

  private record Route(AsyncHandler handler, boolean blocking) {}

  /** Routes whose path starts with a prefix, for the snapshot gateway. */
  private final Map<String, StreamHandler> prefixRoutes = new HashMap<>();

  private final Map<String, Route> routes = new HashMap<>();

  /** GET paths served without the token, and prefixes of such paths. */
  private final Set<String> openPaths = new HashSet<>();

  private final Set<String> openPrefixes = new HashSet<>();
  private final NodeMetrics metrics;
  private final LogLimiter refusalLog = new LogLimiter(HttpGuard.LOG_INTERVAL_NANOS);
  private final Duration idleTimeout;
  private final AtomicInteger openStreams = new AtomicInteger();
  private volatile HttpAccess access;
  private Channel server;

  public HttpApi(NodeMetrics metrics) {
    this(metrics, HttpLimits.IDLE_TIMEOUT);
  }

  /** An API whose connections close after {@code idleTimeout} without output (tests shorten it). */
  HttpApi(NodeMetrics metrics, Duration idleTimeout) {
    this.metrics = metrics;
    this.idleTimeout = idleTimeout;
  }

  /** Adds a route for {@code method path}, behind the token; blocking ones run on the executor. */
  public HttpApi route(String method, String path, boolean blocking, Handler handler) {
    routes.put(method + " " + path, new Route(r -> HttpReplies.completed(handler, r), blocking));
    return this;
  }

  /** Adds a route, behind the token, whose answer comes later; it is started on the executor. */
  public HttpApi asyncRoute(String method, String path, AsyncHandler handler) {
    routes.put(method + " " + path, new Route(handler, true));
    return this;
  }

  /** Adds a GET route that is served without the token (health, metrics). */
  public HttpApi openRoute(String path, boolean blocking, Handler handler) {
    openPaths.add(path);
    return route("GET", path, blocking, handler);
  }

  /**
   * Adds a streaming GET route for every path under {@code prefix}, behind the token unless {@code
   * open}.
   */
  public HttpApi streamUnder(String prefix, StreamHandler handler, boolean open) {
    prefixRoutes.put(prefix, handler);
    if (open) {
      openPrefixes.add(prefix);
    }
    return this;
  }

  /** Whether {@code method path} is served without the token: GET or HEAD of an open route. */
  boolean isOpen(String method, String path) {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return false;
    }
    return openPaths.contains(path) || openPrefixes.stream().anyMatch(path::startsWith);
  }

  /** The path of a request URI, exactly as the router reads it. */
  static String pathOf(String uri) {
    return new QueryStringDecoder(uri).path();
  }

  /** Streams being served now, for tests. */
  int openStreams() {
    return openStreams.get();
  }

  /**
   * Serves the API at {@code address}, HTTPS if {@code tls} is given. Connections are accepted only
   * once {@code accessFor} has made the rules for the bound address (whose port the OS may choose).
   */
  public InetSocketAddress bind(
      EventLoopGroup group,
      InetSocketAddress address,
      Executor blocking,
      HttpTls tls,
      Function<InetSocketAddress, HttpAccess> accessFor)
      throws IOException {
    SslContext ssl = tls == null ? null : tls.serverContext();
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.AUTO_READ, false)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(
                    HttpLimits.STREAM_LOW_WATER_BYTES, HttpLimits.STREAM_HIGH_WATER_BYTES))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (ssl != null) {
                      ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(
                            new IdleStateHandler(
                                true, 0, idleTimeout.toNanos(), 0, TimeUnit.NANOSECONDS))
                        .addLast(
                            new HttpServerCodec(
                                HttpLimits.MAX_INITIAL_LINE_BYTES,
                                HttpLimits.MAX_HEADER_BYTES,
                                HttpLimits.MAX_CONTENT_PIECE_BYTES))
                        .addLast(new HttpGuard(access, HttpApi.this::isOpen, metrics, refusalLog))
                        .addLast(new BoundedAggregator(HttpLimits.MAX_BODY_BYTES, metrics))
                        .addLast(new Dispatcher(blocking));
                  }
                });
    String where = AllowedHosts.authority(address.getHostString(), address.getPort());
    try {
      server = b.bind(address).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding HTTP " + where, e);
    } catch (Exception e) {
      throw new IOException("cannot serve HTTP on " + where + ": " + e.getMessage(), e);
    }
    InetSocketAddress bound = (InetSocketAddress) server.localAddress();
    access = accessFor.apply(bound);
    server.config().setAutoRead(true);
    return bound;
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
  }

  /** Counts a request refused for load, and logs the first of each reason per minute. */
  private void refused(ChannelHandlerContext ctx, Request r, HttpRefusal.Reason reason) {
    HttpGuard.count(metrics, refusalLog, ctx, r.method(), r.path(), HttpRefusal.of(reason));
    HttpGuard.writeRefusal(ctx, reason);
  }

  /** Routes the requests of one connection; event loop only. */
  private final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Executor blocking;

    /** Requests answered later (async routes): an idle connection is not closed meanwhile. */
    private int waiting;

    /** True from a stream's dispatch until it ends: the idle timeout cuts it. */
    private boolean streaming;

    private StreamWriter stream;

    Dispatcher(Executor blocking) {
      this.blocking = blocking;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      QueryStringDecoder uri = new QueryStringDecoder(req.uri()); // as pathOf reads it
      byte[] body = new byte[req.content().readableBytes()];
      req.content().readBytes(body);
      Map<String, String> headers = new HashMap<>();
      req.headers()
          .forEach(x -> headers.putIfAbsent(x.getKey().toLowerCase(Locale.ROOT), x.getValue()));
      Request request =
          new Request(
              req.method().name(),
              uri.path(),
              uri.rawPath(),
              uri.parameters(),
              Map.copyOf(headers),
              body);
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      boolean head = request.method().equals("HEAD");
      String method = head ? "GET" : request.method();
      Route route = routes.get(method + " " + request.path());
      if (route == null && method.equals("GET")) {
        for (Map.Entry<String, StreamHandler> e : prefixRoutes.entrySet()) {
          if (request.path().startsWith(e.getKey())) {
            openStream(ctx, e.getValue(), request, head);
            return;
          }
        }
      }
      if (route == null) {
        boolean pathKnown =
            routes.keySet().stream().anyMatch(k -> k.endsWith(" " + request.path()));
        HttpReplies.reply(
            ctx,
            pathKnown
                ? Response.error(405, "method not allowed")
                : Response.error(404, "no such endpoint: " + request.path()),
            keepAlive,
            head);
        return;
      }
      if (!route.blocking()) {
        answer(ctx, route, request, keepAlive, head);
        return;
      }
      try {
        blocking.execute(() -> answer(ctx, route, request, keepAlive, head));
      } catch (RejectedExecutionException e) {
        refused(ctx, request, HttpRefusal.Reason.BUSY);
      }
    }

    private void answer(
        ChannelHandlerContext ctx, Route route, Request r, boolean keepAlive, boolean head) {
      CompletableFuture<Response> answer;
      try {
        answer = route.handler().handle(r);
      } catch (Exception e) {
        answer = CompletableFuture.failedFuture(e);
      }
      if (answer.isDone()) {
        HttpReplies.reply(ctx, HttpReplies.outcome(answer, r), keepAlive, head);
        return;
      }
      ctx.executor().execute(() -> waiting++);
      CompletableFuture<Response> later = answer;
      later.whenComplete(
          (v, e) ->
              ctx.executor()
                  .execute(
                      () -> {
                        waiting--;
                        HttpReplies.reply(ctx, HttpReplies.outcome(later, r), keepAlive, head);
                      }));
    }

    private void openStream(
        ChannelHandlerContext ctx, StreamHandler handler, Request r, boolean head) {
      if (streaming) {
        refused(ctx, r, HttpRefusal.Reason.STREAMS); // one stream per connection, then it closes
        return;
      }
      if (openStreams.incrementAndGet() > HttpLimits.MAX_STREAMS) {
        openStreams.decrementAndGet();
        refused(ctx, r, HttpRefusal.Reason.STREAMS);
        return;
      }
      streaming = true;
      Executor worker = task -> onWorker(ctx, task);
      worker.execute(
          () -> {
            CompletableFuture<StreamReply> opened;
            try {
              opened = handler.open(r, worker);
            } catch (Exception e) {
              opened = CompletableFuture.failedFuture(e);
            }
            CompletableFuture<StreamReply> f = opened;
            f.whenComplete((v, e) -> ctx.executor().execute(() -> opened(ctx, f, r, head)));
          });
    }

    private void opened(
        ChannelHandlerContext ctx, CompletableFuture<StreamReply> f, Request r, boolean head) {
      StreamReply reply = f.isCompletedExceptionally() ? null : f.join();
      if (!ctx.channel().isActive()) {
        if (reply != null) {
          reply.body().close();
        }
        openStreams.decrementAndGet();
        return;
      }
      if (reply == null) {
        openStreams.decrementAndGet();
        streaming = false;
        HttpReplies.reply(ctx, HttpReplies.outcome(f.thenApply(x -> null), r), false, head);
        return;
      }
      stream =
          new StreamWriter(
              ctx, task -> onWorker(ctx, task), reply.body(), openStreams::decrementAndGet);
      stream.start(reply, head);
    }

    /**
     * Runs {@code task} on a worker; when the pool is full, tries again shortly (a stream's next
     * piece must not be lost), as long as the connection is open.
     */
    private void onWorker(ChannelHandlerContext ctx, Runnable task) {
      try {
        blocking.execute(task);
      } catch (RejectedExecutionException e) {
        if (ctx.channel().isActive()) {
          ctx.executor()
              .schedule(
                  () -> onWorker(ctx, task), HttpLimits.WORKER_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (stream != null) {
        stream.writabilityChanged();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (stream != null) {
        stream.closed();
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent && (streaming || waiting == 0)) {
        // A stream whose client stopped reading or whose data stopped coming, or a connection
        // that sends nothing worth answering: cut it, releasing its stream and buffer.
        if (streaming) {
          metrics.httpStreamsCut.inc();
          log.debug(
              "HTTP stream to {} idle for {}: closed", ctx.channel().remoteAddress(), idleTimeout);
        }
        ctx.close();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("HTTP connection failed: {}", cause.toString());
      ctx.close();
    }
  }
}
