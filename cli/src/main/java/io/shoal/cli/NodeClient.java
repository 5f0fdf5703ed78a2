package io.shoal.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.node.DataDirFiles;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Talks to a running node's HTTP API, found through its data directory or given directly. */
final class NodeClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String base;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(CONNECT_TIMEOUT)
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private NodeClient(String hostPort) {
    this.base = "http://" + hostPort;
  }

  /** The node that owns {@code dataDir}, if one is running and answering. */
  static Optional<NodeClient> find(Path dataDir) {
    return DataDirFiles.readNodeInfo(dataDir)
        .map(info -> new NodeClient(info.http()))
        .filter(NodeClient::isUp);
  }

  static NodeClient at(String hostPort) {
    return new NodeClient(hostPort);
  }

  String address() {
    return base;
  }

  private boolean isUp() {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/health"))
                  .timeout(CONNECT_TIMEOUT)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  <T> T get(String path, TypeReference<T> type) throws IOException {
    return JSON.readValue(
        send(HttpRequest.newBuilder(URI.create(base + path)).GET().build()), type);
  }

  <T> T get(String path, Class<T> type) throws IOException {
    return JSON.readValue(
        send(HttpRequest.newBuilder(URI.create(base + path)).GET().build()), type);
  }

  <T> T post(String path, Object body, Class<T> type) throws IOException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
            .build();
    return JSON.readValue(send(req), type);
  }

  /**
   * Posts a request that may take long, polling {@code /transfers} meanwhile for the fetch of
   * {@code name} and reporting it to {@code progress}.
   */
  <T> T postWithProgress(
      String path, Object body, Class<T> type, String name, ProgressBars progress)
      throws IOException {
    java.util.concurrent.CompletableFuture<T> call =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return post(path, body, type);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    while (true) {
      try {
        return call.get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        try {
          for (io.shoal.node.TransferView v :
              get(
                  "/transfers",
                  new TypeReference<java.util.List<io.shoal.node.TransferView>>() {})) {
            if (v.name().equals(name)) {
              progress.update(v.doneBytes(), v.totalBytes(), v.peers() + " peers");
            }
          }
        } catch (IOException | RuntimeException ignored) {
          // Progress is best effort; the call itself reports failures.
        }
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable c =
            e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
        if (c instanceof IOException io) {
          throw io;
        }
        if (c instanceof RuntimeException r) {
          throw r;
        }
        throw new IOException(c);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted");
      }
    }
  }

  /** Streams {@code path} into {@code out}; returns the bytes copied. */
  long download(String path, java.io.OutputStream out) throws IOException {
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).GET().build();
    HttpResponse<java.io.InputStream> r;
    try {
      r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException e) {
      throw new IOException("no node answers at " + base + " (is 'shoal node' running?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for the node");
    }
    try (java.io.InputStream in = r.body()) {
      if (r.statusCode() / 100 != 2) {
        String message;
        try {
          message = JSON.readTree(in.readAllBytes()).path("error").asText("HTTP " + r.statusCode());
        } catch (IOException e) {
          message = "HTTP " + r.statusCode();
        }
        throw new CliException("node: " + message);
      }
      java.io.OutputStream buffered = new java.io.BufferedOutputStream(out, 1 << 20);
      long n = in.transferTo(buffered);
      buffered.flush();
      return n;
    }
  }

  private byte[] send(HttpRequest req) throws IOException {
    HttpResponse<byte[]> r;
    try {
      r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (ConnectException e) {
      throw new IOException("no node answers at " + base + " (is 'shoal node' running?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the node", e);
    }
    if (r.statusCode() / 100 != 2) {
      String message;
      try {
        message = JSON.readTree(r.body()).path("error").asText("HTTP " + r.statusCode());
      } catch (IOException e) {
        message = "HTTP " + r.statusCode();
      }
      throw new CliException("node: " + message);
    }
    return r.body();
  }
}
