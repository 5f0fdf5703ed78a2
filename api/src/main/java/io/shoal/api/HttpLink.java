package io.shoal.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.node.DataDirFiles;
import io.shoal.node.net.NotFoundException;
import io.shoal.node.net.PinnedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The node's HTTP API, spoken with the token of its {@code node.json} and, over HTTPS, trusting
 * only the certificate that file pins.
 */
final class HttpLink {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String base;
  private final String authorization;
  private final HttpClient http;
  private final String peerAddress;

  private HttpLink(DataDirFiles.NodeInfo info) {
    this.peerAddress = info.peer();
    boolean tls = "https".equals(info.scheme());
    this.base = (tls ? "https://" : "http://") + info.http();
    this.authorization = "Bearer " + info.token();
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1);
    if (tls) {
      b.sslContext(PinnedCertificate.context(info.certificateSha256()));
    }
    this.http = b.build();
  }

  /** The link to the node that owns {@code dataDir}, which must be running. */
  static HttpLink of(Path dataDir) throws IOException {
    DataDirFiles.NodeInfo info =
        DataDirFiles.readNodeInfo(dataDir)
            .orElseThrow(() -> new IOException("no node is running on " + dataDir));
    return new HttpLink(info);
  }

  /** The node's peer address, as its node.json says. */
  String peerAddress() {
    return peerAddress;
  }

  /** The gateway path of file {@code path} of snapshot {@code ref}, each segment encoded. */
  static String gateway(String ref, String path) {
    StringBuilder b = new StringBuilder("/snapshots/").append(encode(ref));
    for (String segment : path.split("/", -1)) {
      if (!segment.isEmpty()) {
        b.append('/').append(encode(segment));
      }
    }
    return b.toString();
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", authorization);
  }

  <T> T get(String path, Class<T> type) throws IOException {
    return JSON.readValue(send(request(path).GET().build()), type);
  }

  <T> T get(String path, TypeReference<T> type) throws IOException {
    return JSON.readValue(send(request(path).GET().build()), type);
  }

  <T> T post(String path, Object body, Class<T> type) throws IOException {
    return JSON.readValue(send(jsonPost(path, body)), type);
  }

  /** As {@link #post}, without holding the caller's thread while the node works. */
  <T> CompletableFuture<T> postAsync(String path, Object body, Class<T> type) throws IOException {
    return http.sendAsync(jsonPost(path, body), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(
            r -> {
              try {
                return JSON.readValue(checked(r.statusCode(), r.body()), type);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
  }

  <T> T postBytes(String path, byte[] body, Class<T> type) throws IOException {
    HttpRequest req =
        request(path)
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return JSON.readValue(send(req), type);
  }

  /**
   * The body of a GET of {@code path} with the {@code Range} header {@code range} (null for the
   * whole), once the node answered 200 or 206.
   */
  InputStream stream(String path, String range) throws IOException {
    HttpRequest.Builder b = request(path).GET();
    if (range != null) {
      b.header("Range", range);
    }
    HttpResponse<InputStream> r = call(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() / 100 != 2) {
      try (InputStream in = r.body()) {
        checked(r.statusCode(), in.readAllBytes());
      }
    }
    return r.body();
  }

  /** The length of what a GET of {@code path} would answer. */
  long length(String path) throws IOException {
    HttpRequest req = request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
    HttpResponse<byte[]> r = call(req, HttpResponse.BodyHandlers.ofByteArray());
    checked(r.statusCode(), new byte[0]);
    return r.headers()
        .firstValueAsLong("Content-Length")
        .orElseThrow(() -> new IOException("node: no length for " + path));
  }

  private HttpRequest jsonPost(String path, Object body) throws IOException {
    return request(path)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
        .build();
  }

  private byte[] send(HttpRequest req) throws IOException {
    HttpResponse<byte[]> r = call(req, HttpResponse.BodyHandlers.ofByteArray());
    return checked(r.statusCode(), r.body());
  }

  private <T> HttpResponse<T> call(HttpRequest req, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    try {
      return http.send(req, handler);
    } catch (ConnectException e) {
      throw new IOException("no node answers at " + base, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the node");
    }
  }

  /** {@code body}, or the node's error as one line. */
  private static byte[] checked(int status, byte[] body) throws IOException {
    if (status / 100 == 2) {
      return body;
    }
    String message;
    try {
      message = JSON.readTree(body).path("error").asText("HTTP " + status);
    } catch (IOException e) {
      message = "HTTP " + status;
    }
    if (status == 400) {
      throw new IllegalArgumentException(message);
    }
    if (status == 404) {
      throw new NotFoundException("node: " + message + " (HTTP 404)");
    }
    throw new IOException("node: " + message + " (HTTP " + status + ")");
  }
}
