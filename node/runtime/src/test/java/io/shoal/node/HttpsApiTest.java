package io.shoal.node;

import static io.shoal.node.RawHttp.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shoal.node.net.HttpTls;
import io.shoal.testing.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the HTTP API may listen, and HTTPS on it. */
class HttpsApiTest {
  @TempDir Path tmp;
  private TestSwarm swarm;

  @BeforeEach
  void swarm() {
    swarm = new TestSwarm(tmp);
  }

  @AfterEach
  void stop() {
    swarm.close();
  }

  private HttpTls tls() throws Exception {
    TestCertificates.KeyAndChain kc = TestCertificates.selfSigned(tmp.resolve("tls"), "shoal-api");
    return new HttpTls(kc.key(), kc.chain());
  }

  /** A client that trusts exactly this certificate as its CA (and checks the host name). */
  private static HttpClient trusting(X509Certificate certificate) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("api", certificate);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ctx).build();
  }

  private static HttpResponse<String> get(HttpClient client, String url, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName(
      "an HTTP API on 0.0.0.0 without --http-expose refuses to start, before creating anything")
  void start_beyondLoopbackWithoutExpose_refusesToStart() {
    NodeConfig config = swarm.config("n").withHttp("0.0.0.0", 0);

    assertThatThrownBy(() -> swarm.start(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0.0.0.0:0")
        .hasMessageContaining("--http-expose")
        .hasMessageNotContaining("\n");
    assertThat(tmp.resolve("n")).doesNotExist();
  }

  @Test
  @DisplayName("--http-expose without TLS on the API refuses to start too")
  void start_exposedWithoutTls_refusesToStart() {
    NodeConfig config =
        swarm.config("n").withHttp("0.0.0.0", 0).toBuilder().httpExpose(true).build();

    assertThatThrownBy(() -> swarm.start(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without TLS");
    assertThat(tmp.resolve("n")).doesNotExist();
  }

  @Test
  @DisplayName(
      "with a certificate the API speaks HTTPS only; node.json records it and the certificate's"
          + " fingerprint; the token is still required")
  void https_onLoopback_isServedAndRecordedInNodeJson() throws Exception {
    HttpTls tls = tls();
    ShoalNode node = swarm.start(swarm.config("n").toBuilder().httpTls(tls).build());
    DataDirFiles.NodeInfo info = DataDirFiles.readNodeInfo(tmp.resolve("n")).orElseThrow();
    HttpClient client = trusting(tls.chain().get(0));
    String url = "https://" + info.http() + "/status";

    assertThat(info.scheme()).isEqualTo("https");
    assertThat(info.certificateSha256())
        .isEqualTo(HttpTls.fingerprintSha256(tls.chain().get(0)))
        .hasSize(64);
    assertThat(get(client, url, info.token()).statusCode()).isEqualTo(200);
    assertThat(get(client, url, null).statusCode()).isEqualTo(401);
    assertThatThrownBy(
            () ->
                RawHttp.send(
                    node.httpAddress(),
                    RawHttp.request("GET", "/health", headers("Host", info.http()), "")))
        .as("plain HTTP on the HTTPS port gets no HTTP reply")
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName(
      "with --http-expose and a certificate the API listens on 0.0.0.0, and a client on this"
          + " machine reaches it through node.json")
  void exposed_onAWildcardWithTls_servesLocalClients() throws Exception {
    HttpTls tls = tls();
    ShoalNode node =
        swarm.start(
            swarm.config("n").withHttp("0.0.0.0", 0).toBuilder()
                .httpExpose(true)
                .httpTls(tls)
                .build());
    DataDirFiles.NodeInfo info = DataDirFiles.readNodeInfo(tmp.resolve("n")).orElseThrow();

    assertThat(node.httpAddress().getAddress().isAnyLocalAddress()).isTrue();
    assertThat(info.http()).isEqualTo("127.0.0.1:" + node.httpAddress().getPort());
    HttpResponse<String> r =
        get(trusting(tls.chain().get(0)), "https://" + info.http() + "/status", info.token());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains(node.id().toHex());
  }
}
