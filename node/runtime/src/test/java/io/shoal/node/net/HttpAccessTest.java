package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules of {@link HttpAccess}, as a table of requests and the refusal each gets. */
class HttpAccessTest {
  static final ApiToken TOKEN = ApiToken.generate();
  static final String HOST = "127.0.0.1:7421";
  static final String BEARER = "Bearer " + TOKEN.value();

  static HttpAccess access() throws Exception {
    return new HttpAccess(
        TOKEN,
        AllowedHosts.of(
            "127.0.0.1",
            new InetSocketAddress(AllowedHostsTest.LOOPBACK_V4, 7421),
            List.of(),
            false),
        List.of("https://Ops.Example"));
  }

  /** A request from pairs of header names and values. */
  static HttpRequest request(String method, String... headers) {
    HttpRequest r =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), "/status");
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    return r;
  }

  static Stream<Arguments> table() {
    String ct = "Content-Type";
    String json = "application/json";
    return Stream.of(
        // name, request, open route?, expected reason (null: served)
        Arguments.of("token", request("GET", "Host", HOST, "Authorization", BEARER), false, null),
        Arguments.of("no token", request("GET", "Host", HOST), false, "NO_TOKEN"),
        Arguments.of("open route", request("GET", "Host", HOST), true, null),
        Arguments.of("open route, HEAD", request("HEAD", "Host", HOST), true, null),
        Arguments.of("open route, POST", request("POST", "Host", HOST, ct, json), true, "NO_TOKEN"),
        Arguments.of(
            "lower-case scheme",
            request("GET", "Host", HOST, "Authorization", "bearer " + TOKEN.value()),
            false,
            null),
        Arguments.of(
            "wrong token",
            request("GET", "Host", HOST, "Authorization", "Bearer x" + TOKEN.value()),
            false,
            "WRONG_TOKEN"),
        Arguments.of(
            "Basic",
            request("GET", "Host", HOST, "Authorization", "Basic " + TOKEN.value()),
            false,
            "WRONG_TOKEN"),
        Arguments.of(
            "two Authorization headers",
            request("GET", "Host", HOST, "Authorization", BEARER, "Authorization", BEARER),
            false,
            "WRONG_TOKEN"),
        Arguments.of("no Host", request("GET", "Authorization", BEARER), false, "HOST"),
        Arguments.of(
            "foreign Host",
            request("GET", "Host", "evil.example:7421", "Authorization", BEARER),
            true,
            "HOST"),
        Arguments.of(
            "two Hosts",
            request("GET", "Host", HOST, "Host", "evil.example", "Authorization", BEARER),
            false,
            "HOST"),
        Arguments.of(
            "foreign Origin on an open route",
            request("GET", "Host", HOST, "Origin", "http://evil.example"),
            true,
            "ORIGIN"),
        Arguments.of(
            "allowed Origin",
            request("GET", "Host", HOST, "Origin", "https://ops.example", "Authorization", BEARER),
            false,
            null),
        Arguments.of(
            "allowed and foreign Origin",
            request(
                "GET",
                "Host",
                HOST,
                "Origin",
                "https://ops.example",
                "Origin",
                "http://evil.example",
                "Authorization",
                BEARER),
            false,
            "ORIGIN"),
        Arguments.of("OPTIONS", request("OPTIONS", "Host", HOST), true, "PREFLIGHT"),
        Arguments.of(
            "POST JSON",
            request("POST", "Host", HOST, ct, json, "Authorization", BEARER),
            false,
            null),
        Arguments.of(
            "POST JSON with charset",
            request(
                "POST",
                "Host",
                HOST,
                ct,
                "Application/JSON; charset=UTF-8",
                "Authorization",
                BEARER),
            false,
            null),
        Arguments.of(
            "POST text/plain",
            request("POST", "Host", HOST, ct, "text/plain", "Authorization", BEARER),
            false,
            "CONTENT_TYPE"),
        Arguments.of(
            "POST json-ish",
            request("POST", "Host", HOST, ct, "application/jsonp", "Authorization", BEARER),
            false,
            "CONTENT_TYPE"),
        Arguments.of(
            "POST without Content-Type",
            request("POST", "Host", HOST, "Authorization", BEARER),
            false,
            "CONTENT_TYPE"),
        Arguments.of(
            "PUT form",
            request("PUT", "Host", HOST, ct, "multipart/form-data", "Authorization", BEARER),
            false,
            "CONTENT_TYPE"),
        Arguments.of(
            "two Content-Types",
            request("POST", "Host", HOST, ct, json, ct, "text/plain", "Authorization", BEARER),
            false,
            "CONTENT_TYPE"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void check_table(String name, HttpRequest request, boolean open, String expected)
      throws Exception {
    Optional<HttpRefusal> refusal = access().check(request, open);

    assertThat(refusal.map(r -> r.reason().name()).orElse(null)).isEqualTo(expected);
  }

  @Test
  void check_undecodableRequest_isMalformed() throws Exception {
    HttpRequest r = request("GET", "Host", HOST, "Authorization", BEARER);
    r.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad")));

    assertThat(access().check(r, true).orElseThrow().reason())
        .isEqualTo(HttpRefusal.Reason.MALFORMED);
  }

  @Test
  void check_refusal_detailIsShort() throws Exception {
    String evil = "http://evil.example/" + "x".repeat(500);

    HttpRefusal r =
        access().check(request("GET", "Host", HOST, "Origin", evil), true).orElseThrow();

    assertThat(r.detail()).startsWith("http://evil.example/xxx").hasSize(83).endsWith("...");
  }

  @Test
  void printable_controlCharacters_areReplaced() {
    assertThat(HttpRefusal.printable("a\u001b[31mb\u0085c\u007f")).isEqualTo("a?[31mb?c?");
    assertThat(HttpRefusal.printable(null)).isEmpty();
  }

  @Test
  void check_tokenRefusals_carryNoDetail() throws Exception {
    HttpRefusal r =
        access()
            .check(request("GET", "Host", HOST, "Authorization", "Bearer secret-guess"), false)
            .orElseThrow();

    assertThat(r.detail()).isEmpty();
  }
}
