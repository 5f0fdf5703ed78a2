package io.shoal.node.net;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who may use the HTTP API: the rules every request passes, on its headers alone, before any
 * handler runs or its body is read. In this order, the first broken rule refuses it:
 *
 * <ol>
 *   <li>the request parses, its line and headers within bounds: else 400, 414 or 431;
 *   <li>exactly one {@code Host} header, naming this node ({@link AllowedHosts}): else 403;
 *   <li>no {@code Origin} header, or only allowed ones ({@code --http-allow-origin}): else 403. A
 *       browser sends Origin with every cross-origin request and every POST, so this refuses web
 *       pages; the CLI and curl send none. No CORS header is ever sent;
 *   <li>not {@code OPTIONS}: a CORS preflight is refused with 403;
 *   <li>any method but GET and HEAD declares exactly one {@code Content-Type}, {@code
 *       application/json} or {@code application/octet-stream} (log records; parameters such as a
 *       charset are ignored): else 403. A page can send {@code text/plain} or a form without a
 *       preflight, but neither of these;
 *   <li>unless the route is open ({@code /health}, {@code /metrics}, and the gateway with {@code
 *       --open-gateway}; GET and HEAD only), exactly one {@code Authorization: Bearer TOKEN} with
 *       this node's token ({@link ApiToken}): 401 when missing, 401 when wrong. The one exception:
 *       a GET or HEAD without Authorization of a path the dashboard polls passes with a live
 *       session cookie of {@link BrowserLogin}; a cookie of this node that names no live session is
 *       401 too. No other route, and no other method, ever accepts the cookie (CSRF).
 * </ol>
 *
 * Immutable and thread-safe.
 */
public final class HttpAccess {
  private static final String BEARER = "Bearer ";

  private final ApiToken token;
  private final AllowedHosts hosts;
  private final Set<String> origins;
  private final BrowserLogin browsers;

  /** Rules without browser sessions: the bearer token only. */
  public HttpAccess(ApiToken token, AllowedHosts hosts, Collection<String> origins) {
    this(token, hosts, origins, new BrowserLogin("shoal-none", false, Set.of()));
  }

  /**
   * @param token the token state routes need
   * @param hosts the Host header values served
   * @param origins the Origin header values allowed ({@code SCHEME://HOST[:PORT]}); usually none
   * @param browsers the dashboard's browser sessions
   */
  public HttpAccess(
      ApiToken token, AllowedHosts hosts, Collection<String> origins, BrowserLogin browsers) {
    this.token = token;
    this.browsers = browsers;
    this.hosts = hosts;
    Set<String> lower = new TreeSet<>();
    origins.forEach(o -> lower.add(o.trim().toLowerCase(Locale.ROOT)));
    this.origins = Set.copyOf(lower);
  }

  /**
   * The rule {@code request} breaks, if any.
   *
   * @param openRoute whether the route it names is served without the token (GET and HEAD only)
   */
  Optional<HttpRefusal> check(HttpRequest request, boolean openRoute) {
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      return Optional.of(
          HttpRefusal.of(
              cause instanceof TooLongHttpLineException
                  ? HttpRefusal.Reason.URI_TOO_LONG
                  : cause instanceof TooLongHttpHeaderException
                      ? HttpRefusal.Reason.HEADERS_TOO_LARGE
                      : HttpRefusal.Reason.MALFORMED));
    }
    HttpHeaders headers = request.headers();
    List<String> host = headers.getAll(HttpHeaderNames.HOST);
    if (host.size() != 1 || !hosts.allows(host.get(0))) {
      String detail = host.isEmpty() ? "no Host header" : String.join(", ", host);
      return Optional.of(new HttpRefusal(HttpRefusal.Reason.HOST, detail));
    }
    for (String origin : headers.getAll(HttpHeaderNames.ORIGIN)) {
      if (!origins.contains(origin.trim().toLowerCase(Locale.ROOT))) {
        return Optional.of(new HttpRefusal(HttpRefusal.Reason.ORIGIN, origin));
      }
    }
    HttpMethod method = request.method();
    if (method.equals(HttpMethod.OPTIONS)) {
      return Optional.of(HttpRefusal.of(HttpRefusal.Reason.PREFLIGHT));
    }
    boolean read = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
    if (!read) {
      List<String> type = headers.getAll(HttpHeaderNames.CONTENT_TYPE);
      if (type.size() != 1 || !isPreflighted(type.get(0))) {
        String detail = type.isEmpty() ? "no Content-Type" : String.join(", ", type);
        return Optional.of(new HttpRefusal(HttpRefusal.Reason.CONTENT_TYPE, detail));
      }
    }
    if (read && openRoute) {
      return Optional.empty();
    }
    List<String> authorization = headers.getAll(HttpHeaderNames.AUTHORIZATION);
    if (authorization.isEmpty()) {
      return read ? bySession(request) : Optional.of(HttpRefusal.of(HttpRefusal.Reason.NO_TOKEN));
    }
    if (authorization.size() != 1 || !token.matches(bearer(authorization.get(0)))) {
      return Optional.of(HttpRefusal.of(HttpRefusal.Reason.WRONG_TOKEN));
    }
    return Optional.empty();
  }

  /** The refusal of a GET or HEAD without Authorization, unless a browser session may read it. */
  private Optional<HttpRefusal> bySession(HttpRequest request) {
    List<String> cookies = request.headers().getAll(HttpHeaderNames.COOKIE);
    if (!browsers.hasCookie(cookies)) {
      return Optional.of(HttpRefusal.of(HttpRefusal.Reason.NO_TOKEN));
    }
    if (!browsers.isReadable(HttpApi.pathOf(request.uri()))) {
      return Optional.of(HttpRefusal.of(HttpRefusal.Reason.NO_TOKEN));
    }
    return browsers.isSession(cookies, System.nanoTime())
        ? Optional.empty()
        : Optional.of(HttpRefusal.of(HttpRefusal.Reason.SESSION));
  }

  /** The token of a {@code Bearer} credential, or null for another scheme. */
  private static String bearer(String authorization) {
    String a = authorization.trim();
    if (!a.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    return a.substring(BEARER.length()).trim();
  }

  /** Whether a web page can send a body of this type only after a (refused) CORS preflight. */
  private static boolean isPreflighted(String contentType) {
    int semicolon = contentType.indexOf(';');
    String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return media.equalsIgnoreCase("application/json")
        || media.equalsIgnoreCase("application/octet-stream");
  }
}
