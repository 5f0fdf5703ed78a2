package io.shoal.node;

import io.shoal.node.net.BrowserLogin;
import io.shoal.node.net.HttpApi;
import io.shoal.node.net.HttpApi.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/**
 * The dashboard: a page served at {@code /} (HTML, script and style from the jar, nothing fetched
 * elsewhere) that polls {@code /status} and {@code /transfers} with a browser session of {@link
 * BrowserLogin}, and the two routes that sign a browser in: {@code POST /ui/link} (bearer token,
 * for {@code shoal ui}) makes a one-time link, and {@code GET /ui/login?token=...} exchanges it for
 * the session cookie and redirects to {@code /} without the token.
 *
 * <p>The page's assets are open (they hold no data, only code any copy of the jar has); what they
 * show comes from the polled routes, which need the cookie. Every dashboard answer forbids framing,
 * sniffing, caching and referrers, and its Content-Security-Policy allows only this origin's own
 * script and style: names and catalogs come from peers, and the page inserts them as text only.
 */
final class DashboardRoutes {
  /** The routes the page polls: the only ones a browser session reads. */
  static final Set<String> POLLED_PATHS = Set.of("/status", "/transfers");

  static final String LINK_PATH = "/ui/link";
  static final String LOGIN_PATH = "/ui/login";

  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  /** Headers on every dashboard answer. */
  static final Map<String, String> PAGE_HEADERS =
      Map.of(
          "Content-Security-Policy", CONTENT_SECURITY_POLICY,
          "X-Frame-Options", "DENY",
          "X-Content-Type-Options", "nosniff",
          "Referrer-Policy", "no-referrer",
          "Cache-Control", "no-store");

  private static final String RESOURCES = "/io/shoal/node/dashboard/";

  /** What {@code POST /ui/link} answers: the path to open, and for how long it works. */
  record LoginLink(String path, long expiresInSeconds) {}

  private DashboardRoutes() {}

  /** Adds the page and its sign-in routes to {@code api}. */
  static HttpApi add(HttpApi api, BrowserLogin login) {
    Response page = asset("index.html", "text/html; charset=utf-8");
    Response script = asset("dashboard.js", "text/javascript; charset=utf-8");
    Response style = asset("dashboard.css", "text/css; charset=utf-8");
    return api.openRoute("/", false, r -> copy(page))
        .openRoute("/dashboard.js", false, r -> copy(script))
        .openRoute("/dashboard.css", false, r -> copy(style))
        .openRoute(LOGIN_PATH, false, r -> signIn(login, r.param("token")))
        .route(
            "POST",
            LINK_PATH,
            false,
            r ->
                Response.json(
                    new LoginLink(
                        LOGIN_PATH + "?token=" + login.issueLink(System.nanoTime()),
                        BrowserLogin.LINK_TTL.toSeconds())));
  }

  private static Response signIn(BrowserLogin login, String token) {
    BrowserLogin.SignIn in = login.redeem(token, System.nanoTime());
    return switch (in.outcome()) {
      case SIGNED_IN ->
          new Response(
              303,
              "text/plain; charset=utf-8",
              new byte[0],
              with(Map.of("Location", "/", "Set-Cookie", login.setCookie(in.secret()))));
      case TOO_MANY ->
          withHeaders(
              Response.error(429, "too many sign-in attempts; try again in a minute"),
              Map.of("Retry-After", Long.toString(BrowserLogin.REDEEM_WINDOW.toSeconds())));
      case REFUSED ->
          withHeaders(
              Response.error(
                  403,
                  "this sign-in link is used, expired or unknown: run 'shoal ui' for a new one"),
              Map.of());
    };
  }

  private static Response withHeaders(Response r, Map<String, String> more) {
    return new Response(r.status(), r.contentType(), r.body(), with(more));
  }

  private static Map<String, String> with(Map<String, String> more) {
    java.util.HashMap<String, String> all = new java.util.HashMap<>(PAGE_HEADERS);
    all.putAll(more);
    return Map.copyOf(all);
  }

  private static Response copy(Response r) {
    return new Response(r.status(), r.contentType(), r.body().clone(), r.headers());
  }

  private static Response asset(String name, String contentType) {
    try (InputStream in = DashboardRoutes.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks the dashboard's " + RESOURCES + name);
      }
      return new Response(200, contentType, in.readAllBytes(), PAGE_HEADERS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the dashboard's " + name, e);
    }
  }
}
