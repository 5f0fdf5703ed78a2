package io.shoal.node;

import static io.shoal.node.RawHttp.headers;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.node.api.PublishCall;
import io.shoal.testing.TestData;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API under slow and stuck clients, on a real node: its two workers must stay free for
 * other requests. Also RFC 9110's Range and HEAD, end to end.
 */
class HttpUnderLoadTest {
  /** How soon a request must be answered while others wait on slow clients or fetches. */
  static final Duration PROMPTLY = Duration.ofSeconds(10);

  static final int SNAPSHOT_BYTES = 16 << 20;

  /**
   * More than a seeder's upload burst (4 MiB, see UploadCore): past it, 1 KiB/s is all it sends.
   */
  static final int BEYOND_UPLOAD_BURST_BYTES = 5 << 20;

  /** A receive buffer the slow readers ask for, so the node's writes back up quickly. */
  static final int SMALL_RECEIVE_BUFFER_BYTES = 4096;

  @TempDir Path tmp;
  private TestSwarm swarm;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void swarm() {
    swarm = new TestSwarm(tmp);
  }

  @AfterEach
  void stopAll() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    swarm.close();
  }

  private static String host(ShoalNode n) {
    return "127.0.0.1:" + n.httpAddress().getPort();
  }

  /** Opens a GET of {@code path} that never reads its answer. */
  private void stuckReader(ShoalNode n, String token, String path) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.setReceiveBufferSize(SMALL_RECEIVE_BUFFER_BYTES);
    s.connect(n.httpAddress());
    s.getOutputStream()
        .write(
            RawHttp.request(
                    "GET", path, headers("Host", host(n), "Authorization", "Bearer " + token), "")
                .getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
  }

  private static HttpResponse<byte[]> get(ShoalNode n, String token, String path) throws Exception {
    return HttpClient.newBuilder()
        .connectTimeout(PROMPTLY)
        .build()
        .send(
            HttpRequest.newBuilder(URI.create("http://" + host(n) + path))
                .header("Authorization", "Bearer " + token)
                .timeout(PROMPTLY)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  @DisplayName("the HTTP API serves other requests while two clients read slowly")
  void gateway_twoStuckReaders_otherRequestsAnswerPromptly() throws Exception {
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 31, SNAPSHOT_BYTES);
    ShoalNode node = swarm.start(swarm.config("n"));
    node.publish(new PublishCall("data", source.toString(), null, null, null));
    String token = swarm.apiToken("n");

    stuckReader(node, token, "/snapshots/data");
    stuckReader(node, token, "/snapshots/data");

    await()
        .atMost(PROMPTLY)
        .untilAsserted(
            () -> {
              assertThat(get(node, token, "/status").statusCode()).isEqualTo(200);
              assertThat(get(node, token, "/ls").statusCode()).isEqualTo(200);
            });
    HttpResponse<byte[]> third = get(node, token, "/snapshots/data");
    assertThat(third.statusCode()).isEqualTo(200);
    assertThat(third.body()).isEqualTo(Files.readAllBytes(source));
  }

  @Test
  @DisplayName("three /get of a snapshot that cannot complete yet hold no worker: /status answers")
  void get_threeWaitingFetches_statusStillAnswers() throws Exception {
    Path source = TestData.randomFile(tmp.resolve("slow.bin"), 32, 12 << 20);
    List<ShoalNode> seeders = swarm.seeders(1, source);
    // Past its 4 MiB burst, the only seeder sends 1 KiB/s: the fetch cannot finish in the test.
    seeders.get(0).setUploadLimit(1024);
    ShoalNode fresh = swarm.join("fresh", seeders.get(0));
    TestSwarm.awaitHolders(fresh, 1);
    String token = swarm.apiToken("fresh");
    HttpClient client = HttpClient.newHttpClient();
    List<CompletableFuture<HttpResponse<String>>> gets = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String body = "{\"ref\":\"data\",\"path\":\"" + tmp.resolve("out" + i) + "\"}";
      gets.add(
          client.sendAsync(
              HttpRequest.newBuilder(URI.create("http://" + host(fresh) + "/get"))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    await().atMost(PROMPTLY).until(() -> !fresh.transfers().isEmpty());

    for (int i = 0; i < 3; i++) {
      assertThat(get(fresh, token, "/status").statusCode()).isEqualTo(200);
    }
    assertThat(gets).noneMatch(CompletableFuture::isDone);
  }

  @Test
  @DisplayName(
      "with its 16 fetch slots taken by stalled fetches, /get and the gateway answer 503 with"
          + " Retry-After in one line")
  void get_allFetchSlotsTaken_is503WithRetryAfter() throws Exception {
    int slots = io.shoal.node.core.TransferSession.MAX_CONCURRENT_FETCHES;
    ShoalNode seeder = swarm.start(swarm.config("s0"));
    Path dir = tmp.resolve("src");
    TestData.randomFile(dir.resolve("shared.bin"), 33, BEYOND_UPLOAD_BURST_BYTES);
    for (int i = 0; i <= slots; i++) {
      TestData.file(dir.resolve("tag.txt"), Integer.toString(i).getBytes(StandardCharsets.UTF_8));
      seeder.publish(new PublishCall("d" + i, dir.toString(), null, null, null));
    }
    seeder.setUploadLimit(1024); // past its burst: no snapshot can arrive whole during the test
    ShoalNode fresh = swarm.join("fresh", seeder);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> fresh.status().winners().size() == slots + 1);
    String token = swarm.apiToken("fresh");
    HttpClient client = HttpClient.newHttpClient();
    List<CompletableFuture<HttpResponse<String>>> stalled = new ArrayList<>();
    for (int i = 0; i < slots; i++) {
      stalled.add(
          client.sendAsync(
              getCall(fresh, token, "d" + i).build(), HttpResponse.BodyHandlers.ofString()));
    }
    await().atMost(PROMPTLY).until(() -> fresh.transfers().size() == slots);

    HttpResponse<String> refused =
        client.send(
            getCall(fresh, token, "d" + slots).timeout(PROMPTLY).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After"))
        .hasValue(Long.toString(FetchRefusedException.RETRY_AFTER_SECONDS));
    assertThat(refused.body())
        .doesNotContain("\n")
        .contains("d" + slots, "maximum of " + slots + " fetches");
    HttpResponse<byte[]> streamed = get(fresh, token, "/snapshots/d" + slots + "/tag.txt");
    assertThat(streamed.statusCode()).as(new String(streamed.body(), UTF_8)).isEqualTo(503);
    assertThat(streamed.headers().firstValue("Retry-After"))
        .hasValue(Long.toString(FetchRefusedException.RETRY_AFTER_SECONDS));
    assertThat(new String(streamed.body(), UTF_8)).contains("maximum of " + slots + " fetches");
    assertThat(stalled).noneMatch(CompletableFuture::isDone);
  }

  /** A POST /get of {@code ref} into a fresh directory under tmp. */
  private HttpRequest.Builder getCall(ShoalNode n, String token, String ref) {
    String body = "{\"ref\":\"" + ref + "\",\"path\":\"" + tmp.resolve("out-" + ref) + "\"}";
    return HttpRequest.newBuilder(URI.create("http://" + host(n) + "/get"))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  @Test
  @DisplayName(
      "a Range past the end answers 416 with Content-Range bytes */SIZE; a garbled one the whole"
          + " file")
  void gateway_unsatisfiableRange_is416_garbledRangeIsIgnored() throws Exception {
    ShoalNode node = swarm.start(swarm.config("n"));
    byte[] content = "hello, range\n".getBytes(StandardCharsets.UTF_8);
    Path blob = TestData.file(tmp.resolve("blob.txt"), content);
    node.publish(new PublishCall("blob", blob.toString(), null, null, null));
    String token = swarm.apiToken("n");
    var auth = headers("Host", host(node), "Authorization", "Bearer " + token);

    for (String range : List.of("bytes=99999999999999999999-", "bytes=13-", "bytes=-0")) {
      auth.put("Range", range);
      RawHttp.Reply r =
          RawHttp.send(node.httpAddress(), RawHttp.request("GET", "/snapshots/blob", auth, ""));

      assertThat(r.status()).as(range).isEqualTo(416);
      assertThat(r.header("content-range")).as(range).isEqualTo("bytes */13");
    }
    for (String range :
        List.of("bytes=0-99999999999999999999", "bytes=5-2", "pages=1-2", "bytes=0-1,4-5")) {
      auth.put("Range", range);
      RawHttp.Reply r =
          RawHttp.send(node.httpAddress(), RawHttp.request("GET", "/snapshots/blob", auth, ""));

      boolean partial = range.equals("bytes=0-99999999999999999999");
      assertThat(r.status()).as(range).isEqualTo(partial ? 206 : 200);
      assertThat(r.body()).as(range).isEqualTo("hello, range\n");
    }
  }

  @Test
  @DisplayName("HEAD answers as GET would, with the same status and headers and no body")
  void head_onGatewayAndRoutes_answersAsGetWithoutBody() throws Exception {
    ShoalNode node = swarm.start(swarm.config("n"));
    Path blob =
        TestData.file(tmp.resolve("blob.txt"), "hello, head\n".getBytes(StandardCharsets.UTF_8));
    node.publish(new PublishCall("blob", blob.toString(), null, null, null));
    String token = swarm.apiToken("n");
    var auth = headers("Host", host(node), "Authorization", "Bearer " + token);

    for (String path : List.of("/snapshots/blob", "/snapshots/nothing", "/ls", "/health")) {
      RawHttp.Reply get = RawHttp.send(node.httpAddress(), RawHttp.request("GET", path, auth, ""));
      RawHttp.Reply head =
          RawHttp.send(node.httpAddress(), RawHttp.request("HEAD", path, auth, ""));

      assertThat(head.status()).as(path).isEqualTo(get.status());
      assertThat(head.body()).as(path).isEmpty();
      for (String h : List.of("content-length", "content-type", "accept-ranges", "content-range")) {
        assertThat(head.header(h)).as(path + " " + h).isEqualTo(get.header(h));
      }
    }
    auth.put("Range", "bytes=-5");
    RawHttp.Reply ranged =
        RawHttp.send(node.httpAddress(), RawHttp.request("HEAD", "/snapshots/blob", auth, ""));
    assertThat(ranged.status()).isEqualTo(206);
    assertThat(ranged.header("content-length")).isEqualTo("5");
    assertThat(ranged.header("content-range")).isEqualTo("bytes 7-11/12");
    assertThat(ranged.body()).isEmpty();
  }
}
