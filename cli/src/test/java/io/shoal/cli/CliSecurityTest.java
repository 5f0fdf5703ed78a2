package io.shoal.cli;

import static io.shoal.cli.CliTest.shoal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.node.DataDirFiles;
import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.node.net.HttpTls;
import io.shoal.testing.TestCertificates;
import io.shoal.testing.TestData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a node whose HTTP API wants a token, and HTTPS with a pinned certificate. */
class CliSecurityTest {
  static final long PROCESS_TIMEOUT_SECONDS = 60;

  @TempDir Path tmp;

  private Path data() {
    return tmp.resolve("data");
  }

  private HttpTls tls(String name) throws Exception {
    TestCertificates.KeyAndChain kc = TestCertificates.selfSigned(tmp.resolve("tls"), name);
    return new HttpTls(kc.key(), kc.chain());
  }

  /** The CLI in its own JVM; as root, without the capabilities that bypass file permissions. */
  private CliTest.Run shoalProcess(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    if (isRoot()) {
      Path setpriv = Path.of("/usr/bin/setpriv");
      Assumptions.assumeTrue(Files.isExecutable(setpriv), "running as root needs setpriv");
      command.addAll(
          List.of(setpriv.toString(), "--bounding-set=-dac_override,-dac_read_search", "--"));
    }
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName()));
    command.addAll(List.of(args));
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    return new CliTest.Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private boolean isRoot() throws Exception {
    Path probe = Files.createTempFile(tmp, "uid", "");
    return ((Integer) Files.getAttribute(probe, "unix:uid")) == 0;
  }

  @Test
  @DisplayName(
      "publish, ls, get and get -o - go through the running node with its token; the node"
          + " refuses none of them")
  void commandsThroughTheNode_sendTheToken() throws Exception {
    Path src = TestData.file(tmp.resolve("notes.txt"), "notes\n".getBytes(StandardCharsets.UTF_8));
    try (ShoalNode node = ShoalNode.start(NodeConfig.loopback(data()))) {
      CliTest.Run published =
          shoal("publish", "notes", src.toString(), "--data", data().toString());
      CliTest.Run ls = shoal("ls", "--data", data().toString());
      Path out = tmp.resolve("got.txt");
      CliTest.Run got = shoal("get", "notes", "-o", out.toString(), "--data", data().toString());
      CliTest.Run streamed = shoalProcess("get", "notes", "-o", "-", "--data", data().toString());

      assertThat(published.out()).as(published.err()).contains("through the running node");
      assertThat(ls.out()).contains("notes", "complete");
      assertThat(got.code()).as(got.err()).isZero();
      assertThat(Files.readString(out)).isEqualTo("notes\n");
      assertThat(streamed.code()).as(streamed.err()).isZero();
      assertThat(streamed.out()).isEqualTo("notes\n");
      assertThat(node.metrics().scrape()).doesNotContain("shoal_http_refused_total{");
    }
  }

  @Test
  @DisplayName(
      "status, publish and ls work against a node exposed on 0.0.0.0 over HTTPS, pinning its"
          + " certificate; another certificate is refused in one line")
  void exposedHttpsNode_isReachedWithThePinnedCertificate() throws Exception {
    NodeConfig config =
        NodeConfig.loopback(data()).withHttp("0.0.0.0", 0).toBuilder()
            .httpExpose(true)
            .httpTls(tls("shoal-api"))
            .build();
    Path src = TestData.file(tmp.resolve("a.txt"), "a\n".getBytes(StandardCharsets.UTF_8));
    try (ShoalNode node = ShoalNode.start(config)) {
      CliTest.Run status = shoal("status", "--data", data().toString(), "--json");
      CliTest.Run published = shoal("publish", "a", src.toString(), "--data", data().toString());
      CliTest.Run ls = shoal("ls", "--data", data().toString());

      assertThat(status.code()).as(status.err()).isZero();
      assertThat(status.out()).contains(node.id().toHex());
      assertThat(published.out()).as(published.err()).contains("through the running node");
      assertThat(ls.out()).contains("complete");

      Path nodeJson = data().resolve(DataDirFiles.NODE_INFO);
      ObjectMapper json = new ObjectMapper();
      ObjectNode info = (ObjectNode) json.readTree(nodeJson.toFile());
      info.put("certificateSha256", tls("impostor").fingerprintSha256());
      Files.write(nodeJson, json.writeValueAsBytes(info));
      CliTest.Run pinned = shoal("status", "--data", data().toString());

      assertThat(pinned.code()).isEqualTo(Main.EXIT_FAILURE);
      assertThat(pinned.err().strip())
          .startsWith("shoal: refusing to talk to https://127.0.0.1:")
          .contains("is not the one node.json pins")
          .doesNotContain("\n");
    }
  }

  @Test
  @DisplayName(
      "shoal node --http 0.0.0.0:PORT without --http-expose, or without TLS, refuses to start in"
          + " one line")
  void node_httpBeyondLoopback_refusesToStart() {
    String dir = data().toString();
    CliTest.Run bare =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () -> shoal("node", "--data", dir, "--listen", "127.0.0.1:0", "--http", "0.0.0.0:0"));
    CliTest.Run exposed =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () ->
                shoal(
                    "node",
                    "--data",
                    dir,
                    "--listen",
                    "127.0.0.1:0",
                    "--http",
                    "0.0.0.0:0",
                    "--http-expose"));

    assertThat(bare.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(bare.err().strip())
        .isEqualTo(
            "shoal: refusing to serve the HTTP API on 0.0.0.0:0, beyond loopback: pass"
                + " --http-expose to mean it (it also needs TLS on the API)");
    assertThat(exposed.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(exposed.err().strip())
        .startsWith("shoal: ")
        .contains("without TLS")
        .doesNotContain("\n");
    assertThat(data()).doesNotExist();
  }

  @Test
  @DisplayName(
      "a CLI run by a user who cannot read node.json says so in one line, rather than a 401")
  void cliThatCannotReadNodeJson_saysSoInOneLine() throws Exception {
    try (ShoalNode node = ShoalNode.start(NodeConfig.loopback(data()))) {
      Path nodeJson = data().resolve(DataDirFiles.NODE_INFO);
      Files.setPosixFilePermissions(nodeJson, PosixFilePermissions.fromString("---------"));

      CliTest.Run r = shoalProcess("status", "--data", data().toString());

      assertThat(r.code()).isEqualTo(Main.EXIT_FAILURE);
      assertThat(r.err().strip())
          .isEqualTo(
              "shoal: cannot read " + nodeJson + ": permission denied; run as the node's user");
      assertThat(node.metrics().scrape()).doesNotContain("shoal_http_refused_total{");
    }
  }

  @Test
  @DisplayName(
      "shoal token prints the running node's token, which other HTTP clients use for the gateway")
  void token_printsTheTokenForOtherClients() throws Exception {
    Path src = TestData.file(tmp.resolve("b.txt"), "b\n".getBytes(StandardCharsets.UTF_8));
    try (ShoalNode node = ShoalNode.start(NodeConfig.loopback(data()))) {
      assertThat(shoal("publish", "b", src.toString(), "--data", data().toString()).code())
          .isZero();

      CliTest.Run token = shoal("token", "--data", data().toString());
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + node.httpAddress().getPort() + "/snapshots/b"))
                      .header("Authorization", "Bearer " + token.out().strip())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(token.code()).as(token.err()).isZero();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("b\n");
    }
    CliTest.Run none = shoal("token", "--data", data().toString());
    assertThat(none.code()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(none.err()).contains("no node is running");
  }
}
