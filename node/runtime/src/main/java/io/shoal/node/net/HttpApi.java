package io.shoal.node.net;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP API: a small router over Netty's HTTP codec. Handlers marked blocking run on the
 * given executor (bounded; a full executor answers 503), the others on the event loop. Responses
 * are JSON unless a handler says otherwise. Bodies are bounded at 1 MiB.
 *
 * <p>Every request first passes {@link HttpAccess} (see {@link HttpGuard}): only routes added as
 * open are served without the token. With {@link HttpTls} the API speaks HTTPS only.
 */
public final class HttpApi implements AutoCloseable {
  static final int MAX_BODY_BYTES = 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request. The body array is owned by the request; handlers only read it. */
  @SuppressWarnings("ArrayRecordComponent")
  public record Request(String method, String path, Map<String, List<String>> query, byte[] body) {
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
  }

  /** One response. The body array is handed over to the response. */
  @SuppressWarnings("ArrayRecordComponent")
  public record Response(int status, String contentType, byte[] body) {
    public static Response json(Object value) {
      try {
        return new Response(
            200,
            "application/json",
            JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
      } catch (IOException e) {
        throw new IllegalStateException("cannot encode a response as JSON", e);
      }
    }

    public static Response text(String text, String contentType) {
      return new Response(200, contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    public static Response error(int status, String message) {
      try {
        return new Response(
            status, "application/json", JSON.writeValueAsBytes(Map.of("error", message)));
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
   * Streams a response body that is produced over time, on the blocking executor. The handler calls
   * {@link Stream#start} once, then {@link Stream#write} as bytes become available; writes wait
   * while the client is slow, so memory stays bounded.
   */
  @FunctionalInterface
  public interface StreamHandler {
    void stream(Request request, Stream out) throws Exception;
  }

  /** The body of a streamed response. */
  public interface Stream {
    /** Sends the status and headers; {@code contentLength} -1 for chunked. */
    void start(int status, String contentType, long contentLength, Map<String, String> headers);

    /** Sends bytes, waiting while the connection cannot take more. */
    void write(byte[] bytes, int offset, int length) throws java.io.IOException;
  }

  private record Route(Handler handler, StreamHandler stream, boolean blocking) {}

  /** Routes whose path starts with a prefix, for the snapshot gateway. */
  private final Map<String, StreamHandler> prefixRoutes = new HashMap<>();

  private final Map<String, Route> routes = new HashMap<>();

  /** GET paths served without the token, and prefixes of such paths. */
  private final Set<String> openPaths = new HashSet<>();

  private final Set<String> openPrefixes = new HashSet<>();
  private final NodeMetrics metrics;
  private final LogLimiter refusalLog = new LogLimiter(HttpGuard.LOG_INTERVAL_NANOS);
  private volatile HttpAccess access;
  private Channel server;

  public HttpApi(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  /** Adds a route for {@code method path}, behind the token; blocking ones run on the executor. */
  public HttpApi route(String method, String path, boolean blocking, Handler handler) {
    routes.put(method + " " + path, new Route(handler, null, blocking));
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
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (ssl != null) {
                      ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpGuard(access, HttpApi.this::isOpen, metrics, refusalLog))
                        .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
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

  private final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Executor blocking;

    Dispatcher(Executor blocking) {
      this.blocking = blocking;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      QueryStringDecoder uri = new QueryStringDecoder(req.uri()); // as pathOf reads it
      byte[] body = new byte[req.content().readableBytes()];
      req.content().readBytes(body);
      Request request = new Request(req.method().name(), uri.path(), uri.parameters(), body);
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      Route route = routes.get(request.method() + " " + request.path());
      if (route == null && request.method().equals("GET")) {
        for (Map.Entry<String, StreamHandler> e : prefixRoutes.entrySet()) {
          if (request.path().startsWith(e.getKey())) {
            StreamHandler h = e.getValue();
            Map<String, String> headers = new HashMap<>();
            req.headers()
                .forEach(
                    x -> headers.put(x.getKey().toLowerCase(java.util.Locale.ROOT), x.getValue()));
            try {
              blocking.execute(() -> stream(ctx, h, request, headers));
            } catch (RejectedExecutionException ex) {
              reply(ctx, Response.error(503, "node is busy; try again"), keepAlive);
            }
            return;
          }
        }
      }
      if (route == null) {
        boolean pathKnown =
            routes.keySet().stream().anyMatch(k -> k.endsWith(" " + request.path()));
        reply(
            ctx,
            pathKnown
                ? Response.error(405, "method not allowed")
                : Response.error(404, "no such endpoint: " + request.path()),
            keepAlive);
        return;
      }
      if (!route.blocking()) {
        reply(ctx, run(route.handler(), request), keepAlive);
        return;
      }
      try {
        blocking.execute(() -> reply(ctx, run(route.handler(), request), keepAlive));
      } catch (RejectedExecutionException e) {
        reply(ctx, Response.error(503, "node is busy; try again"), keepAlive);
      }
    }

    private void stream(
        ChannelHandlerContext ctx, StreamHandler h, Request r, Map<String, String> headers) {
      ChannelStream out = new ChannelStream(ctx, headers);
      try {
        h.stream(r, out);
        out.end();
      } catch (IllegalArgumentException e) {
        out.fail(400, e.getMessage());
      } catch (java.nio.file.NoSuchFileException e) {
        out.fail(404, "no such file in the snapshot: " + e.getMessage());
      } catch (Exception e) {
        log.debug("HTTP stream {} failed: {}", r.path(), e.toString());
        out.fail(500, e.getMessage() == null ? e.toString() : e.getMessage());
      }
    }

    private Response run(Handler h, Request r) {
      try {
        return h.handle(r);
      } catch (IllegalArgumentException e) {
        return Response.error(400, e.getMessage());
      } catch (Exception e) {
        log.debug("HTTP {} {} failed", r.method(), r.path(), e);
        return Response.error(500, e.getMessage() == null ? e.toString() : e.getMessage());
      }
    }

    private void reply(ChannelHandlerContext ctx, Response r, boolean keepAlive) {
      FullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(r.status()),
              Unpooled.wrappedBuffer(r.body()));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
      res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
      if (keepAlive) {
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(res);
      } else {
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("HTTP connection failed: {}", cause.toString());
      ctx.close();
    }
  }

  /** A streamed response on a Netty channel, with the request's headers for handlers to read. */
  private static final class ChannelStream implements Stream {
    private final ChannelHandlerContext ctx;
    private final Map<String, String> requestHeaders;
    private boolean started;

    ChannelStream(ChannelHandlerContext ctx, Map<String, String> requestHeaders) {
      this.ctx = ctx;
      this.requestHeaders = requestHeaders;
    }

    @Override
    public void start(
        int status, String contentType, long contentLength, Map<String, String> headers) {
      io.netty.handler.codec.http.DefaultHttpResponse res =
          new io.netty.handler.codec.http.DefaultHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
      if (contentLength >= 0) {
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
      } else {
        HttpUtil.setTransferEncodingChunked(res, true);
      }
      headers.forEach((k, v) -> res.headers().set(k, v));
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res);
      started = true;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      if (!ctx.channel().isActive()) {
        throw new IOException("client went away");
      }
      io.netty.channel.ChannelFuture f =
          ctx.writeAndFlush(
              new io.netty.handler.codec.http.DefaultHttpContent(
                  Unpooled.wrappedBuffer(bytes, offset, length)));
      if (!ctx.channel().isWritable()) {
        try {
          f.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while streaming");
        }
      }
    }

    void end() {
      ctx.writeAndFlush(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT)
          .addListener(ChannelFutureListener.CLOSE);
    }

    void fail(int status, String message) {
      if (started) {
        ctx.close(); // the body is cut short; a client sees a short read, not corrupt bytes
        return;
      }
      Response r = Response.error(status, message);
      FullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(status),
              Unpooled.wrappedBuffer(r.body()));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
      res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }

    String header(String name) {
      return requestHeaders.get(name);
    }
  }

  /** The request's Range header, if any, for stream handlers (via {@link Stream}). */
  public static String requestHeader(Stream out, String name) {
    return out instanceof ChannelStream c ? c.header(name) : null;
  }
}
