package io.shoal.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The change log routes of a real node on loopback, and what they refuse. */
class LogRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private TestSwarm swarm;
  private ShoalNode node;
  private String token;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startNode() throws Exception {
    swarm = new TestSwarm(tmp);
    node = swarm.start(swarm.config("n"));
    token = swarm.apiToken("n");
  }

  @AfterEach
  void stopNode() {
    swarm.close();
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + pathAndQuery))
        .header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(30));
  }

  private HttpResponse<String> post(String pathAndQuery, byte[] body) throws Exception {
    return http.send(
        request(pathAndQuery)
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return http.send(request(pathAndQuery).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String data(JsonNode record) {
    return new String(Base64.getDecoder().decode(record.get("data").asText()), UTF_8);
  }

  @Test
  void append_read_andFollow_overHttp() throws Exception {
    HttpResponse<String> a = post("/log/append?name=orders&split=lines", "a\nb\n".getBytes(UTF_8));
    assertThat(a.statusCode()).as(a.body()).isEqualTo(200);
    assertThat(JSON.readTree(a.body()).get("first").asLong()).isZero();
    assertThat(JSON.readTree(a.body()).get("count").asInt()).isEqualTo(2);
    post("/log/append?name=orders", "c\nstill one record".getBytes(UTF_8));

    JsonNode read = JSON.readTree(get("/log/read?name=orders&from=1").body());
    assertThat(read.get("records")).hasSize(2);
    assertThat(data(read.get("records").get(0))).isEqualTo("b");
    assertThat(data(read.get("records").get(1))).isEqualTo("c\nstill one record");
    assertThat(read.get("next").asLong()).isEqualTo(3);

    CompletableFuture<HttpResponse<String>> follow =
        http.sendAsync(
            request("/log/read?name=orders&from=3&wait=20000").GET().build(),
            HttpResponse.BodyHandlers.ofString());
    post("/log/append?name=orders", "d".getBytes(UTF_8));
    JsonNode followed = JSON.readTree(follow.get(20, TimeUnit.SECONDS).body());
    assertThat(data(followed.get("records").get(0))).isEqualTo("d");
    assertThat(followed.get("records").get(0).get("offset").asLong()).isEqualTo(3);

    JsonNode ls = JSON.readTree(get("/log/ls").body());
    assertThat(ls.get(0).get("name").asText()).isEqualTo("orders");
    assertThat(ls.get(0).get("end").asLong()).isEqualTo(4);
  }

  @Test
  void withoutTheToken_nothingIsAppendedOrRead() throws Exception {
    post("/log/append?name=orders", "a".getBytes(UTF_8));
    String base = "http://127.0.0.1:" + node.httpAddress().getPort();
    HttpResponse<String> append =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/log/append?name=orders"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString("stolen"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> read =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/log/read?name=orders&from=0")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(append.statusCode()).isEqualTo(401);
    assertThat(read.statusCode()).isEqualTo(401);
    assertThat(read.body()).doesNotContain("YQ"); // "a" in base64
    assertThat(node.logs().list().get(0).end()).isEqualTo(1);
  }

  @Test
  void hostileRequests_getOneClearError_andChangeNothing() throws Exception {
    post("/log/append?name=orders", "a".getBytes(UTF_8));
    String[][] cases = {
      {"POST", "/log/append?name=..%2F..%2Fescaped", "400", "bad snapshot name"},
      {"POST", "/log/append?name=.hidden", "400", "bad snapshot name"},
      {"POST", "/log/append", "400", "missing query parameter 'name'"},
      {"POST", "/log/append?name=orders&split=words", "400", "split must be 'lines'"},
      {"POST", "/log/append?name=orders&split=lines", "400", "nothing to append"},
      {"GET", "/log/read?name=nothing&from=0", "404", "no log nothing"},
      {"GET", "/log/read?name=orders", "400", "missing query parameter 'from'"},
      {"GET", "/log/read?name=orders&from=-1", "400", "at least 0"},
      {"GET", "/log/read?name=orders&from=x", "400", "at least 0"},
      {"GET", "/log/read?name=orders&from=5", "400", "ends at offset 1"},
      {"GET", "/log/read?name=orders&from=0&wait=60000", "400", "wait must be"},
      {"GET", "/log/read?name=orders&from=0&max=0", "400", "max must be"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = c[0].equals("POST") ? post(c[1], new byte[0]) : get(c[1]);
      assertThat(r.statusCode()).as(c[1] + ": " + r.body()).isEqualTo(Integer.parseInt(c[2]));
      assertThat(JSON.readTree(r.body()).get("error").asText()).as(c[1]).contains(c[3]);
    }
    // A replica of another node's log: an append over HTTP is a conflict, and adds nothing.
    node.logs()
        .adopt(
            "mirror",
            "ab".repeat(16),
            io.shoal.chunkstore.log.LogSegment.seal("mirror", 0, List.of("m".getBytes(UTF_8))));
    HttpResponse<String> conflict = post("/log/append?name=mirror", "x".getBytes(UTF_8));
    assertThat(conflict.statusCode()).as(conflict.body()).isEqualTo(409);
    assertThat(JSON.readTree(conflict.body()).get("error").asText())
        .contains("is written by node abababababab and replicated here");
    HttpResponse<String> big = post("/log/append?name=orders", new byte[(1 << 20) + 1]);
    assertThat(big.statusCode()).isEqualTo(413);
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("escaped");
    }
    try (Stream<Path> logs = Files.list(tmp.resolve("n").resolve(NodeLogs.DIR))) {
      assertThat(logs.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("orders", "mirror");
    }
    assertThat(node.logs().list()).extracting(i -> i.end()).containsExactly(1L, 1L);
  }
}
