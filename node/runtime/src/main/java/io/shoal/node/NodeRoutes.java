package io.shoal.node;

import io.netty.channel.EventLoopGroup;
import io.shoal.gossip.NodeId;
import io.shoal.node.api.GcCall;
import io.shoal.node.api.GetCall;
import io.shoal.node.api.PinCall;
import io.shoal.node.api.PublishCall;
import io.shoal.node.api.RmCall;
import io.shoal.node.net.AllowedHosts;
import io.shoal.node.net.ApiToken;
import io.shoal.node.net.BrowserLogin;
import io.shoal.node.net.HttpAccess;
import io.shoal.node.net.HttpApi;
import io.shoal.node.net.HttpApi.Response;
import io.shoal.node.net.NodeMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * The node's HTTP API: which route does what ({@link #of}), and serving it behind a fresh token
 * with the node's {@code node.json} written for the CLI ({@link #serve}). The handlers run on the
 * worker pool; the routes only call the node's public methods and the snapshot gateway.
 */
final class NodeRoutes {
  /** Prometheus's text format. */
  static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private NodeRoutes() {}

  /** The API served, and where. */
  record Served(HttpApi api, InetSocketAddress address) {}

  static HttpApi of(
      HttpApi api,
      ShoalNode node,
      TransferService transfers,
      SnapshotGateway gateway,
      Scrubber scrubber,
      boolean openGateway,
      NodeMetrics metrics,
      BooleanSupplier ready) {
    return LogRoutes.add(api, node.logs())
        .route("GET", "/status", true, r -> Response.json(node.status()))
        .route("GET", "/ls", true, r -> Response.json(node.listing()))
        .route(
            "POST", "/publish", true, r -> Response.json(node.publish(r.json(PublishCall.class))))
        .asyncRoute(
            "POST",
            "/get",
            r -> node.materializeAsync(r.json(GetCall.class)).thenApply(Response::json))
        .asyncRoute("POST", "/verify", r -> scrubber.verifyNow().thenApply(Response::json))
        .route("POST", "/pin", true, r -> Response.json(Pinning.pin(pins(node), call(r))))
        .route("POST", "/unpin", true, r -> Response.json(Pinning.unpin(pins(node), call(r))))
        .route(
            "POST",
            "/gc",
            true,
            r -> Response.json(node.local.collect(r.json(GcCall.class), transfers.gate)))
        .route(
            "POST",
            "/rm",
            true,
            r -> Response.json(node.local.remove(r.json(RmCall.class), transfers.active())))
        .route(
            "GET",
            "/files",
            true,
            r -> Response.json(node.local.files(r.param("ref"), r.param("from"))))
        .route("GET", "/transfers", false, r -> Response.json(transfers.active()))
        .streamUnder(SnapshotGateway.PREFIX, gateway, openGateway)
        .openRoute("/metrics", false, r -> Response.text(metrics.scrape(), METRICS_TYPE))
        .openRoute(
            "/health",
            false,
            r ->
                ready.getAsBoolean()
                    ? Response.text("ok\n", "text/plain")
                    : Response.error(503, "starting"));
  }

  private static GossipDriver pins(ShoalNode node) {
    return node.local.resolver.driver();
  }

  private static PinCall call(HttpApi.Request r) {
    return r.json(PinCall.class);
  }

  /**
   * Serves {@code api} and the dashboard ({@link DashboardRoutes}) behind a fresh token, and writes
   * node.json (owner-only) so that the CLI, run by the same user, finds the API, its token and,
   * with TLS, the certificate to pin.
   */
  static Served serve(
      HttpApi api,
      NodeConfig config,
      InetSocketAddress bindAddress,
      EventLoopGroup loops,
      Executor workers,
      NodeId self,
      String peerAddress)
      throws IOException {
    ApiToken token = ApiToken.generate();
    boolean tls = config.httpTls() != null;
    BrowserLogin browsers =
        new BrowserLogin(
            BrowserLogin.cookieNameFor(self.toHex()), tls, DashboardRoutes.POLLED_PATHS);
    DashboardRoutes.add(api, browsers);
    InetSocketAddress at =
        api.bind(
            loops,
            bindAddress,
            workers,
            config.httpTls(),
            bound ->
                new HttpAccess(
                    token,
                    AllowedHosts.of(config.httpHost(), bound, config.httpNames(), tls),
                    config.httpAllowOrigins(),
                    browsers));
    DataDirFiles.writeNodeInfo(
        config.dataDir(),
        new DataDirFiles.NodeInfo(
            ProcessHandle.current().pid(),
            self.toHex(),
            peerAddress,
            AllowedHosts.localAuthority(at),
            scheme(config),
            token.value(),
            tls ? config.httpTls().fingerprintSha256() : null));
    return new Served(api, at);
  }

  static String scheme(NodeConfig config) {
    return config.httpTls() == null ? "http" : "https";
  }
}
