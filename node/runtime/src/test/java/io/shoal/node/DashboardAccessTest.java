package io.shoal.node;

import static io.shoal.node.RawHttp.headers;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.node.net.BrowserLogin;
import io.shoal.testing.TestData;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's sign-in against the attacks on it, on a real node on loopback: a link works once,
 * a forged cookie reads nothing, the cookie changes nothing, and sign-in is bounded.
 */
class DashboardAccessTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private TestSwarm swarm;
  private ShoalNode node;
  private String token;
  private String host;

  @BeforeEach
  void startNode() throws Exception {
    swarm = new TestSwarm(tmp);
    node = swarm.start(swarm.config("n"));
    token = swarm.apiToken("n");
    host = "127.0.0.1:" + node.httpAddress().getPort();
  }

  @AfterEach
  void stopNode() {
    swarm.close();
  }

  private RawHttp.Reply send(String method, String path, Map<String, String> h, String body)
      throws Exception {
    return RawHttp.send(node.httpAddress(), RawHttp.request(method, path, h, body));
  }

  private RawHttp.Reply withToken(String method, String path) throws Exception {
    return send(
        method,
        path,
        headers(
            "Host", host, "Authorization", "Bearer " + token, "Content-Type", "application/json"),
        "{}");
  }

  private RawHttp.Reply withCookie(String method, String path, String cookie) throws Exception {
    Map<String, String> h = headers("Host", host, "Cookie", cookie);
    if (!method.equals("GET")) {
      h.put("Content-Type", "application/json");
    }
    return send(method, path, h, method.equals("GET") ? "" : "{}");
  }

  /** A fresh sign-in link's path, as {@code shoal ui} gets it. */
  private String link() throws Exception {
    RawHttp.Reply r = withToken("POST", DashboardRoutes.LINK_PATH);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("path").asText();
  }

  /** Signs in through a fresh link; the {@code NAME=VALUE} to send as Cookie. */
  private String signIn() throws Exception {
    RawHttp.Reply r = send("GET", link(), headers("Host", host), "");
    assertThat(r.status()).as(r.body()).isEqualTo(303);
    String setCookie = r.header("set-cookie");
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private String cookieName() {
    return BrowserLogin.cookieNameFor(node.id().toHex());
  }

  @Test
  @DisplayName(
      "the page is served with a strict CSP, no framing, no sniffing, and its script inserts no"
          + " markup")
  void page_hasStrictHeaders_andScriptUsesTextOnly() throws Exception {
    for (String path : new String[] {"/", "/dashboard.js", "/dashboard.css"}) {
      RawHttp.Reply r = send("GET", path, headers("Host", host), "");

      assertThat(r.status()).as(path).isEqualTo(200);
      assertThat(r.header("content-security-policy"))
          .contains("default-src 'self'", "frame-ancestors 'none'");
      assertThat(r.header("x-frame-options")).isEqualTo("DENY");
      assertThat(r.header("x-content-type-options")).isEqualTo("nosniff");
    }
    assertThat(send("GET", "/", headers("Host", host), "").body())
        .contains("<script src=\"/dashboard.js\"")
        .doesNotContainPattern("<script>|\\son[a-z]+=");
    try (InputStream in =
        DashboardRoutes.class.getResourceAsStream("/io/shoal/node/dashboard/dashboard.js")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .contains("textContent")
          .doesNotContain(
              "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(");
    }
  }

  @Test
  @DisplayName(
      "a sign-in link sets an HttpOnly, SameSite=Strict cookie and redirects to / without the"
          + " token; the cookie reads /status and /transfers")
  void signIn_setsStrictCookie_whichReadsThePolledRoutes() throws Exception {
    RawHttp.Reply r = send("GET", link(), headers("Host", host), "");

    assertThat(r.status()).isEqualTo(303);
    assertThat(r.header("location")).isEqualTo("/");
    assertThat(r.header("set-cookie"))
        .startsWith(cookieName() + "=")
        .contains("; HttpOnly", "; SameSite=Strict", "; Path=/", "; Max-Age=")
        .doesNotContain("Domain=");
    String cookie = r.header("set-cookie").substring(0, r.header("set-cookie").indexOf(';'));
    RawHttp.Reply status = withCookie("GET", "/status", cookie);
    assertThat(status.status()).as(status.body()).isEqualTo(200);
    assertThat(status.body()).contains(node.id().toHex());
    assertThat(withCookie("GET", "/transfers", cookie).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a used sign-in link is refused, and sets no cookie")
  void usedLink_isRefused() throws Exception {
    String link = link();
    assertThat(send("GET", link, headers("Host", host), "").status()).isEqualTo(303);

    RawHttp.Reply again = send("GET", link, headers("Host", host), "");

    assertThat(again.status()).as(again.body()).isEqualTo(403);
    assertThat(again.header("set-cookie")).isNull();
    assertThat(again.body()).contains("used, expired or unknown");
  }

  @Test
  @DisplayName("a forged or malformed session cookie reads nothing")
  void forgedCookie_isRefused() throws Exception {
    String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
    for (String cookie :
        new String[] {
          cookieName() + "=" + forged, cookieName() + "=" + token, cookieName() + "=x"
        }) {
      RawHttp.Reply r = withCookie("GET", "/status", cookie);

      assertThat(r.status()).as(cookie).isEqualTo(401);
      assertThat(r.body()).contains("\"reason\":\"session\"");
    }
    assertThat(withCookie("GET", "/status", cookieName()).status()).isEqualTo(401);
    // Another node's cookie on the same host (cookies ignore ports) is simply not ours.
    String otherNode = BrowserLogin.cookieNameFor("0123456789abcdef0123");
    RawHttp.Reply other = withCookie("GET", "/status", otherNode + "=" + forged);
    assertThat(other.status()).isEqualTo(401);
    assertThat(other.body()).contains("\"reason\":\"no_token\"");
  }

  @Test
  @DisplayName(
      "the session cookie authorizes no POST and no GET beyond the polled ones: nothing is"
          + " published, no link is made")
  void cookie_doesNotAuthorizePostsOrOtherRoutes() throws Exception {
    String cookie = signIn();
    Path secret =
        TestData.file(tmp.resolve("secret.txt"), "secret\n".getBytes(StandardCharsets.UTF_8));
    Map<String, String> h =
        headers("Host", host, "Cookie", cookie, "Content-Type", "application/json");

    RawHttp.Reply publish =
        send("POST", "/publish", h, "{\"name\":\"stolen\",\"path\":\"" + secret + "\"}");
    RawHttp.Reply makeLink = send("POST", DashboardRoutes.LINK_PATH, h, "{}");
    RawHttp.Reply ls = withCookie("GET", "/ls", cookie);

    assertThat(publish.status()).as(publish.body()).isEqualTo(401);
    assertThat(makeLink.status()).as(makeLink.body()).isEqualTo(401);
    assertThat(ls.status()).as(ls.body()).isEqualTo(401);
    assertThat(node.store().catalog().entries()).isEmpty();
  }

  @Test
  @DisplayName(
      "sign-in is bounded: after the window's attempts even a good link is answered 429, and"
          + " outstanding links are bounded")
  void signIn_isBounded() throws Exception {
    for (int i = 0; i < BrowserLogin.MAX_REDEEMS_PER_WINDOW; i++) {
      String guess = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
      assertThat(send("GET", "/ui/login?token=" + guess, headers("Host", host), "").status())
          .isEqualTo(403);
    }
    RawHttp.Reply limited = send("GET", link(), headers("Host", host), "");
    assertThat(limited.status()).as(limited.body()).isEqualTo(429);
    assertThat(limited.header("retry-after")).isNotNull();
    assertThat(limited.header("set-cookie")).isNull();

    for (int i = 1; i < BrowserLogin.MAX_LINKS; i++) {
      link();
    }
    RawHttp.Reply tooMany = withToken("POST", DashboardRoutes.LINK_PATH);
    assertThat(tooMany.status()).as(tooMany.body()).isEqualTo(503);
    assertThat(tooMany.header("retry-after")).isNotNull();
  }
}
