package io.shoal.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.chunkstore.IoErrors;
import io.shoal.node.DataDirFiles;
import io.shoal.node.DataDirFiles.NodeInfo;
import io.shoal.node.net.PinnedCertificate;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Talks to a running node's HTTP API, found through its data directory or given directly, with the
 * token from the node's {@code node.json} and, when the API speaks HTTPS, only to the certificate
 * that file pins.
 */
final class NodeClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String base;
  private final String authorization;
  private final HttpClient http;

  private NodeClient(String hostPort, Optional<NodeInfo> credentials) {
    boolean tls = credentials.map(i -> "https".equals(i.scheme())).orElse(false);
    this.base = (tls ? "https://" : "http://") + hostPort;
    this.authorization =
        credentials.map(NodeInfo::token).map(token -> "Bearer " + token).orElse(null);
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1);
    if (tls) {
      b.sslContext(PinnedCertificate.context(credentials.get().certificateSha256()));
    }
    this.http = b.build();
  }

  /** The node that owns {@code dataDir}, if one is running and answering. */
  static Optional<NodeClient> find(Path dataDir) {
    return info(dataDir)
        .map(info -> new NodeClient(info.http(), Optional.of(info)))
        .filter(NodeClient::isUp);
  }

  /**
   * The node at {@code hostPort}, spoken to with the token (and certificate pin) of the node that
   * owns {@code dataDir}, if there is one.
   */
  /** The error for a command that needs the node of {@code dataDir} when none runs there. */
  static CliException noNodeOn(Path dataDir) {
    return new CliException(
        "no node is running on "
            + dataDir
            + "; start one with 'shoal node --data "
            + dataDir
            + "'");
  }

  static NodeClient at(String hostPort, Path dataDir) {
    return new NodeClient(hostPort, info(dataDir));
  }

  /** What {@code dataDir/node.json} says, if it exists; one clear line if it cannot be read. */
  static Optional<NodeInfo> info(Path dataDir) {
    Path file = dataDir.resolve(DataDirFiles.NODE_INFO);
    try {
      return DataDirFiles.readNodeInfo(dataDir);
    } catch (AccessDeniedException e) {
      throw new CliException("cannot read " + file + ": permission denied; run as the node's user");
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + IoErrors.describe(e));
    }
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
    } catch (SSLException e) {
      throw tlsFailure(e);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A request to {@code path}, with the token when there is one. */
  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b;
  }

  /** One line for a TLS failure: above all, a certificate that is not the pinned one. */
  private CliException tlsFailure(SSLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PinnedCertificate.MismatchException m) {
        return new CliException("refusing to talk to " + base + ": " + m.getMessage());
      }
    }
    return new CliException("TLS with the node at " + base + " failed: " + e.getMessage());
  }

  <T> T get(String path, TypeReference<T> type) throws IOException {
    return JSON.readValue(send(request(path).GET().build()), type);
  }

  <T> T get(String path, Class<T> type) throws IOException {
    return JSON.readValue(send(request(path).GET().build()), type);
  }

  <T> T post(String path, Object body, Class<T> type) throws IOException {
    HttpRequest req =
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
            .build();
    return JSON.readValue(send(req), type);
  }

  /** Posts {@code body} as {@code application/octet-stream} (log records). */
  <T> T postBytes(String path, byte[] body, Class<T> type) throws IOException {
    HttpRequest req =
        request(path)
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
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
    long seenTotalBytes = -1;
    while (true) {
      try {
        return call.get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        try {
          boolean listed = false;
          for (io.shoal.node.TransferView v :
              get(
                  "/transfers",
                  new TypeReference<java.util.List<io.shoal.node.TransferView>>() {})) {
            if (v.name().equals(name)) {
              progress.update(v);
              seenTotalBytes = v.totalBytes();
              listed = true;
            }
          }
          if (!listed && seenTotalBytes > 0) {
            progress.writing(seenTotalBytes); // fetched; the node now writes the output
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
    HttpRequest req = request(path).GET().build();
    HttpResponse<java.io.InputStream> r;
    try {
      r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (SSLException e) {
      throw tlsFailure(e);
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
    } catch (SSLException e) {
      throw tlsFailure(e);
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
