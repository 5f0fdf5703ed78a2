package io.shoal.node;

import static io.shoal.node.RawHttp.headers;
import static org.assertj.core.api.Assertions.assertThat;

import io.shoal.chunkstore.CatalogEntry;
import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API against the attacks a security review reproduced: local users and web pages acting
 * as the node's user. Each test sends the attack to a real node on loopback and checks both the
 * answer and that nothing was published or written.
 */
class HttpApiSecurityTest {
  static final String JSON = "application/json";
  static final String SECRET = "root:$6$not-really-a-hash:19000:0:99999:7:::\n";

  @TempDir Path tmp;
  private TestSwarm swarm;
  private ShoalNode node;
  private String token;
  private Path secret;

  @BeforeEach
  void startNode() throws Exception {
    swarm = new TestSwarm(tmp);
    node = swarm.start(swarm.config("n"));
    token = swarm.apiToken("n");
    secret = TestData.file(tmp.resolve("shadow"), SECRET.getBytes(StandardCharsets.UTF_8));
  }

  @AfterEach
  void stopNode() {
    swarm.close();
  }

  private String host(ShoalNode n) {
    return "127.0.0.1:" + n.httpAddress().getPort();
  }

  private RawHttp.Reply send(String method, String path, Map<String, String> headers, String body)
      throws Exception {
    return send(node, method, path, headers, body);
  }

  private static RawHttp.Reply send(
      ShoalNode n, String method, String path, Map<String, String> headers, String body)
      throws Exception {
    return RawHttp.send(n.httpAddress(), RawHttp.request(method, path, headers, body));
  }

  private String publishBody() {
    return "{\"name\":\"stolen\",\"path\":\"" + secret.toAbsolutePath() + "\"}";
  }

  private List<CatalogEntry> catalog() {
    return List.copyOf(node.store().catalog().entries());
  }

  private static void assertRefused(RawHttp.Reply r, int status, String reason) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.header("content-type")).isEqualTo(JSON);
    assertThat(r.body()).doesNotContain("\n").contains("\"error\":", "\"reason\":\"" + reason);
    assertNoCorsHeaders(r);
  }

  private static void assertNoCorsHeaders(RawHttp.Reply r) {
    assertThat(r.headers().keySet()).noneMatch(h -> h.startsWith("access-control-"));
  }

  /** A directory the attack would replace, with one file in it. */
  private Path target() throws Exception {
    return TestData.file(
            tmp.resolve("target/keep.txt"), "precious".getBytes(StandardCharsets.UTF_8))
        .getParent();
  }

  private static void assertUntouched(Path target) throws Exception {
    try (Stream<Path> files = Files.list(target)) {
      assertThat(files).containsExactly(target.resolve("keep.txt"));
    }
    assertThat(Files.readString(target.resolve("keep.txt"))).isEqualTo("precious");
  }

  private String getBody(Path target) {
    return "{\"ref\":\"tree\",\"path\":\"" + target.toAbsolutePath() + "\",\"force\":true}";
  }

  /** A directory snapshot "tree" holding hello.txt. */
  private void publishTree() throws Exception {
    Path tree =
        TestData.file(
                tmp.resolve("tree/hello.txt"), "hello, tree\n".getBytes(StandardCharsets.UTF_8))
            .getParent();
    node.publish(new PublishCall("tree", tree.toString(), null, null, null));
  }

  private void publishBlob() throws Exception {
    Path blob =
        TestData.file(tmp.resolve("blob.txt"), "hello, blob\n".getBytes(StandardCharsets.UTF_8));
    node.publish(new PublishCall("blob", blob.toString(), null, null, null));
  }

  @Test
  @DisplayName("GET /status without a token is refused with 401 and a Bearer challenge")
  void status_withoutToken_is401WithBearerChallenge() throws Exception {
    RawHttp.Reply r = send("GET", "/status", headers("Host", host(node)), "");

    assertRefused(r, 401, "no_token");
    assertThat(r.header("www-authenticate")).startsWith("Bearer");
  }

  @Test
  @DisplayName("GET /status with a wrong token, or another scheme, is refused with 401")
  void status_withWrongToken_is401() throws Exception {
    String wrong = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
    for (String authorization :
        List.of("Bearer " + wrong, "Bearer " + token + "x", "Basic " + token, "Bearer")) {
      RawHttp.Reply r =
          send("GET", "/status", headers("Host", host(node), "Authorization", authorization), "");

      assertRefused(r, 401, "wrong_token");
      assertThat(r.header("www-authenticate")).startsWith("Bearer");
    }
  }

  @Test
  @DisplayName("GET /status with the token from node.json is served, by a standard HTTP client")
  void status_withToken_isServed() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://" + host(node) + "/status"))
                    .header("Authorization", "Bearer " + token)
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains(node.id().toHex());
    assertThat(r.headers().map().keySet()).noneMatch(h -> h.startsWith("access-control-"));
  }

  @Test
  @DisplayName(
      "the reproduced attack: a web page posts /publish of a secret file as text/plain; refused,"
          + " nothing published")
  void publish_ofASecretFromAWebPage_isRefusedAndPublishesNothing() throws Exception {
    RawHttp.Reply r =
        send(
            "POST",
            "/publish",
            headers(
                "Host", host(node), "Origin", "http://evil.example", "Content-Type", "text/plain"),
            publishBody());

    assertRefused(r, 403, "origin");
    assertThat(catalog()).isEmpty();
  }

  @Test
  @DisplayName(
      "POST /publish, /get and /log/append with a text/plain body are refused with 403 even with"
          + " the token; nothing is published, written or appended")
  void post_withTextPlainBody_is403AndChangesNothing() throws Exception {
    publishTree();
    List<CatalogEntry> before = catalog();
    Path target = target();
    for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "")) {
      Map<String, String> h = headers("Host", host(node), "Authorization", "Bearer " + token);
      if (!type.isEmpty()) {
        h.put("Content-Type", type);
      }

      assertRefused(send("POST", "/publish", h, publishBody()), 403, "content_type");
      assertRefused(send("POST", "/get", h, getBody(target)), 403, "content_type");
      assertRefused(send("POST", "/log/append?name=x", h, "forged"), 403, "content_type");
    }
    assertThat(catalog()).isEqualTo(before);
    assertThat(node.logs().list()).isEmpty();
    assertUntouched(target);
  }

  @Test
  @DisplayName(
      "POST /publish and /get without the token are refused with 401; the same requests with it"
          + " do publish and write")
  void post_withoutToken_is401_andWithTokenIsServed() throws Exception {
    publishTree();
    List<CatalogEntry> before = catalog();
    Path target = target();
    Map<String, String> h = headers("Host", host(node), "Content-Type", JSON + "; charset=utf-8");

    assertRefused(send("POST", "/publish", h, publishBody()), 401, "no_token");
    assertRefused(send("POST", "/get", h, getBody(target)), 401, "no_token");
    assertThat(catalog()).isEqualTo(before);
    assertUntouched(target);

    h.put("Authorization", "Bearer " + token);
    assertThat(send("POST", "/publish", h, publishBody()).status()).isEqualTo(200);
    assertThat(send("POST", "/get", h, getBody(target)).status()).isEqualTo(200);
    assertThat(node.store().catalog().latest("stolen")).isPresent();
    assertThat(Files.readString(target.resolve("hello.txt"))).isEqualTo("hello, tree\n");
    assertThat(target.resolve("keep.txt")).doesNotExist();
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0} {1}")
  @org.junit.jupiter.params.provider.CsvSource({
    "POST, /gc, '{\"keep\":1}'",
    "POST, /rm, '{\"ref\":\"tree\"}'",
    "POST, /pin, '{\"ref\":\"tree@1\"}'",
    "POST, /unpin, '{\"name\":\"tree\"}'",
    "POST, /ui/link, '{}'",
    "GET, /files?ref=tree, ''",
  })
  @DisplayName("the routes issue 12 added refuse a request without the token; the catalog stays")
  void issue12Routes_withoutToken_are401(String method, String path, String body) throws Exception {
    publishTree();
    List<CatalogEntry> before = catalog();
    Map<String, String> h = headers("Host", host(node), "Content-Type", JSON);

    assertRefused(send(method, path, h, body), 401, "no_token");
    assertThat(catalog()).isEqualTo(before);
  }

  @Test
  @DisplayName("POST /verify without the token is refused with 401; with it the node verifies")
  void verify_withoutToken_is401_andWithTokenIsServed() throws Exception {
    publishTree();
    Map<String, String> h = headers("Host", host(node), "Content-Type", JSON);

    assertRefused(send("POST", "/verify", h, "{}"), 401, "no_token");

    h.put("Authorization", "Bearer " + token);
    RawHttp.Reply verified = send("POST", "/verify", h, "{}");
    assertThat(verified.status()).as(verified.body()).isEqualTo(200);
    assertThat(verified.body()).contains("\"name\" : \"tree\"", "\"damagedChunks\" : 0");
  }

  @Test
  @DisplayName(
      "DNS rebinding: a request naming a foreign Host is refused with 403 even with the token;"
          + " nothing published")
  void publish_withForeignHost_is403AndPublishesNothing() throws Exception {
    int port = node.httpAddress().getPort();
    for (String foreign :
        List.of("attacker.example:" + port, "attacker.example", "127.0.0.1:" + (port + 1))) {
      RawHttp.Reply r =
          send(
              "POST",
              "/publish",
              headers("Host", foreign, "Authorization", "Bearer " + token, "Content-Type", JSON),
              publishBody());

      assertRefused(r, 403, "host");
    }
    assertThat(catalog()).isEmpty();
  }

  @Test
  @DisplayName("an HTTP/1.0 request without a Host header is refused with 403")
  void request_withoutHost_is403() throws Exception {
    RawHttp.Reply r =
        RawHttp.send(
            node.httpAddress(),
            "GET /status HTTP/1.0\r\nAuthorization: Bearer " + token + "\r\n\r\n");

    assertRefused(r, 403, "host");
  }

  @Test
  @DisplayName(
      "a request carrying a foreign Origin is refused with 403 even with the token and JSON;"
          + " nothing published")
  void publish_withForeignOrigin_is403AndPublishesNothing() throws Exception {
    for (String origin : List.of("http://evil.example", "null", "http://" + host(node))) {
      RawHttp.Reply r =
          send(
              "POST",
              "/publish",
              headers(
                  "Host",
                  host(node),
                  "Origin",
                  origin,
                  "Authorization",
                  "Bearer " + token,
                  "Content-Type",
                  JSON),
              publishBody());

      assertRefused(r, 403, "origin");
    }
    assertThat(catalog()).isEmpty();
  }

  @Test
  @DisplayName("a CORS preflight is refused with 403 and no CORS header, and so is any OPTIONS")
  void preflight_isRefusedWithoutCorsHeaders() throws Exception {
    RawHttp.Reply preflight =
        send(
            "OPTIONS",
            "/publish",
            headers(
                "Host",
                host(node),
                "Origin",
                "http://evil.example",
                "Access-Control-Request-Method",
                "POST",
                "Access-Control-Request-Headers",
                "authorization, content-type"),
            "");
    RawHttp.Reply options = send("OPTIONS", "/status", headers("Host", host(node)), "");

    assertRefused(preflight, 403, "origin");
    assertRefused(options, 403, "preflight");
  }

  @Test
  @DisplayName(
      "/health and /metrics are served without a token, and /metrics counts every refusal by"
          + " reason")
  void healthAndMetrics_withoutToken_areServedAndCountRefusals() throws Exception {
    send("GET", "/status", headers("Host", host(node)), "");
    send("GET", "/status", headers("Host", "attacker.example"), "");
    send("GET", "/status", headers("Host", "attacker.example"), "");

    RawHttp.Reply health = send("GET", "/health", headers("Host", host(node)), "");
    RawHttp.Reply metrics =
        send("GET", "/metrics", headers("Host", "localhost:" + node.httpAddress().getPort()), "");

    assertThat(health.status()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok\n");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body())
        .contains(
            "shoal_http_refused_total{reason=\"no_token\"} 1.0",
            "shoal_http_refused_total{reason=\"host\"} 2.0");
    assertNoCorsHeaders(metrics);
  }

  @Test
  @DisplayName("the snapshot gateway needs the token: without it 401, with it the file")
  void gateway_withoutToken_is401_withTokenStreamsTheFile() throws Exception {
    publishBlob();

    RawHttp.Reply without = send("GET", "/snapshots/blob", headers("Host", host(node)), "");
    RawHttp.Reply with =
        send(
            "GET",
            "/snapshots/blob",
            headers("Host", host(node), "Authorization", "Bearer " + token),
            "");

    assertRefused(without, 401, "no_token");
    assertThat(with.status()).isEqualTo(200);
    assertThat(with.body()).isEqualTo("hello, blob\n");
  }

  @Test
  @DisplayName(
      "with --open-gateway, GET /snapshots/... is served without the token; every other route"
          + " still needs it")
  void gateway_withOpenGateway_isOpenForReadsOnly() throws Exception {
    ShoalNode open = swarm.start(swarm.config("g").toBuilder().openGateway(true).build());
    Path blob = TestData.file(tmp.resolve("g.txt"), "open\n".getBytes(StandardCharsets.UTF_8));
    open.publish(new PublishCall("blob", blob.toString(), null, null, null));
    Map<String, String> h = headers("Host", host(open));

    RawHttp.Reply read = send(open, "GET", "/snapshots/blob", h, "");
    RawHttp.Reply status = send(open, "GET", "/status", h, "");
    h.put("Content-Type", JSON);
    RawHttp.Reply publish = send(open, "POST", "/publish", h, publishBody());
    RawHttp.Reply postToGateway = send(open, "POST", "/snapshots/blob", h, "{}");

    assertThat(read.status()).isEqualTo(200);
    assertThat(read.body()).isEqualTo("open\n");
    assertRefused(status, 401, "no_token");
    assertRefused(publish, 401, "no_token");
    assertRefused(postToGateway, 401, "no_token");
    assertThat(open.store().catalog().latest("stolen")).isEmpty();
  }

  @Test
  @DisplayName(
      "a name given with --http-name and an origin given with --http-allow-origin are served")
  void configuredNameAndOrigin_areServed() throws Exception {
    ShoalNode named =
        swarm.start(
            swarm.config("o").toBuilder()
                .httpNames(List.of("shoal.internal"))
                .httpAllowOrigins(List.of("https://ops.example"))
                .build());
    String tokenO = swarm.apiToken("o");

    RawHttp.Reply r =
        send(
            named,
            "GET",
            "/status",
            headers(
                "Host",
                "SHOAL.internal:" + named.httpAddress().getPort(),
                "Origin",
                "https://ops.example",
                "Authorization",
                "Bearer " + tokenO),
            "");

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertNoCorsHeaders(r);
  }

  @Test
  @DisplayName("node.json is readable by the node's user only (0600) and holds a 256-bit token")
  void nodeJson_isOwnerOnly_andHoldsA256BitToken() throws Exception {
    Path file = tmp.resolve("n").resolve(DataDirFiles.NODE_INFO);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Base64.getUrlDecoder().decode(token)).hasSize(32);
    assertThat(tmp.resolve("n").resolve(DataDirFiles.NODE_INFO + ".tmp")).doesNotExist();
    assertThat(Files.readString(file)).contains("\"scheme\" : \"http\"");
  }

  @Test
  @DisplayName("every start makes a new token; the old one is refused")
  void restart_makesANewToken() throws Exception {
    ShoalNode first = swarm.start(swarm.config("r"));
    String old = swarm.apiToken("r");
    first.close();
    ShoalNode second = swarm.start(swarm.config("r"));
    String fresh = swarm.apiToken("r");

    RawHttp.Reply r =
        send(
            second,
            "GET",
            "/status",
            headers("Host", host(second), "Authorization", "Bearer " + old),
            "");

    assertThat(fresh).isNotEqualTo(old);
    assertRefused(r, 401, "wrong_token");
  }
}
