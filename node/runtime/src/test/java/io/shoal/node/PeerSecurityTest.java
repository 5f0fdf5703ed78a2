package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.shoal.gossip.Endpoint;
import io.shoal.gossip.NodeId;
import io.shoal.node.api.PublishCall;
import io.shoal.node.net.PeerAuthenticated;
import io.shoal.node.security.NodeCredentials;
import io.shoal.node.security.RevocationList;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attacks on the peer port of secured nodes, each injected for real on loopback. */
class PeerSecurityTest {
  /** How long a node must go on refusing an attacker for a test to believe it. */
  static final Duration HOLDS_FOR = Duration.ofSeconds(3);

  @TempDir Path tmp;
  private TestSwarm swarm;

  @BeforeEach
  void makeSwarm() {
    swarm = new TestSwarm(tmp);
  }

  @AfterEach
  void stopSwarm() {
    swarm.close();
  }

  /** A credential of another cluster's CA: what an attacker can make for itself. */
  private NodeCredentials stranger() {
    return new TestSwarm(tmp.resolve("evil")).credentials("mallory");
  }

  private static String refusals(String reason) {
    return "shoal_peer_handshakes_refused_total{reason=\"" + reason + "\"}";
  }

  private static long alive(ShoalNode n) {
    return NodeClusterTest.alive(n);
  }

  private Path publishMarked(ShoalNode n, String name, byte[] marker, int copies) throws Exception {
    SplittableRandom r = new SplittableRandom(7);
    Path file = tmp.resolve(name + ".bin");
    try (OutputStream o = Files.newOutputStream(file)) {
      byte[] filler = new byte[960];
      for (int i = 0; i < copies; i++) {
        o.write(marker);
        r.nextBytes(filler);
        o.write(filler);
      }
    }
    n.publish(new PublishCall(name, file.toAbsolutePath().toString(), null, null, null));
    return file;
  }

  @Test
  @DisplayName(
      "a keyless relay spliced between two nodes, with a certificate of its own, gets nothing"
          + " accepted by either: no member, no catalog entry")
  void keylessRelay_isRefusedByBothSides_andNothingIsLearnedThroughIt() throws Exception {
    ShoalNode b = swarm.start(swarm.config("b"));
    b.publish(
        new PublishCall(
            "secret",
            io.shoal.testing.TestData.randomFile(tmp.resolve("s.bin"), 3, 100_000).toString(),
            null,
            null,
            null));
    try (Strangers.Relay relay =
        new Strangers.Relay(
            Strangers.trustingEverything(stranger()),
            new InetSocketAddress(InetAddress.getLoopbackAddress(), b.peerAddress().port()))) {
      ShoalNode a =
          swarm.start(
              swarm.config("a").withSeeds(List.of(new Endpoint("127.0.0.1", relay.port()))));
      await().atMost(Duration.ofSeconds(20)).until(() -> relay.accepted.get() >= 2);
      await()
          .during(HOLDS_FOR)
          .atMost(HOLDS_FOR.plusSeconds(5))
          .untilAsserted(
              () -> {
                assertThat(alive(a)).isEqualTo(1);
                assertThat(alive(b)).isEqualTo(1);
                assertThat(a.status().winners()).isEmpty();
              });
      assertThat(relay.forwardedBytes.get()).as("plaintext the relay could forward").isZero();
      assertThat(a.metrics().scrape()).contains(refusals("other_ca"));
      assertThat(b.metrics().scrape()).contains(refusals("other_ca"));
      assertThat(a.connectedPeers()).isEmpty();
      assertThat(b.connectedPeers()).isEmpty();
    }
  }

  @Test
  @DisplayName(
      "a recording proxy on the path of a fetch sees no plaintext byte of the snapshot and not its"
          + " name, while the fetch through it succeeds")
  void recordingProxy_seesNoPlaintext_andTheFetchSucceeds() throws Exception {
    byte[] marker = new byte[64];
    new SplittableRandom(11).nextBytes(marker);
    String name = "orders-" + Long.toHexString(new SplittableRandom(5).nextLong());
    byte[] recorded = fetchThroughRecordingProxy(true, name, marker);
    assertThat(indexOf(recorded, marker)).as("marker in the recorded bytes").isEqualTo(-1);
    assertThat(indexOf(recorded, name.getBytes(StandardCharsets.UTF_8)))
        .as("snapshot name in the recorded bytes")
        .isEqualTo(-1);
  }

  @Test
  @DisplayName("control: the same recording proxy between insecure nodes does see the plaintext")
  void recordingProxy_betweenInsecureNodes_seesThePlaintext() throws Exception {
    byte[] marker = new byte[64];
    new SplittableRandom(11).nextBytes(marker);
    byte[] recorded = fetchThroughRecordingProxy(false, "plain-orders", marker);
    assertThat(indexOf(recorded, marker)).isNotEqualTo(-1);
    assertThat(indexOf(recorded, "plain-orders".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(-1);
  }

  /** A seeder that advertises the proxy, so every connection to it passes through the proxy. */
  private byte[] fetchThroughRecordingProxy(boolean secure, String name, byte[] marker)
      throws Exception {
    int copies = 2048; // 2 MiB
    NodeConfig seedConfig =
        (secure ? swarm.config("seed") : swarm.insecureConfig("seed")).withCompression(false);
    // Bind first to learn the port, then restart advertising the proxy in front of it.
    ShoalNode probe = ShoalNode.start(seedConfig);
    int port = probe.peerAddress().port();
    probe.kill();
    try (Strangers.RecordingProxy proxy =
        new Strangers.RecordingProxy(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
      ShoalNode seed =
          swarm.start(
              seedConfig
                  .withListen("127.0.0.1", port)
                  .withAdvertise(new Endpoint("127.0.0.1", proxy.port())));
      Path file = publishMarked(seed, name, marker, copies);
      NodeConfig fetcherConfig =
          (secure ? swarm.config("fetcher") : swarm.insecureConfig("fetcher"))
              .withCompression(false)
              .withSeeds(List.of(new Endpoint("127.0.0.1", proxy.port())));
      ShoalNode fetcher = swarm.start(fetcherConfig);
      Path out = tmp.resolve("fetched-" + secure);
      fetcher.fetchTo(
          io.shoal.chunkstore.SnapshotRef.parse(name),
          Duration.ofSeconds(30),
          out,
          io.shoal.chunkstore.snapshot.Materializer.Options.defaults());
      assertThat(Files.mismatch(file, out)).isEqualTo(-1);
      byte[] recorded = proxy.recorded();
      assertThat((long) recorded.length)
          .as("bytes that passed the proxy")
          .isGreaterThan(Files.size(file));
      return recorded;
    }
  }

  @Test
  @DisplayName("a client with a certificate of another CA is refused in the TLS handshake")
  void strangerClient_isRefusedDuringTheTlsHandshake() throws Exception {
    ShoalNode a = swarm.start(swarm.config("a"));
    try (SSLSocket s =
        (SSLSocket)
            Strangers.trustingEverything(stranger())
                .getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), a.peerAddress().port())) {
      s.setSoTimeout(Strangers.SOCKET_TIMEOUT_MILLIS);
      s.startHandshake();
      // TLS 1.3: the client finishes first; the server's refusal arrives as an alert on the first
      // read, before any byte of a shoal Hello.
      assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(java.io.IOException.class);
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(a.metrics().scrape()).contains(refusals("other_ca")));
    assertThat(a.metrics().scrape()).doesNotContain("type=\"Hello\"");
  }

  @Test
  @DisplayName(
      "a node revoked while running is disconnected, cannot reconnect, and is forgotten: no"
          + " longer a member, not even a dead one to retry")
  void revokedWhileRunning_isDisconnectedAndCannotReconnect() throws Exception {
    ShoalNode a = swarm.start(swarm.config("a"));
    ShoalNode b = swarm.join("b", a);
    ShoalNode c = swarm.join("c", a);
    NodeClusterTest.awaitMembers(List.of(a, b, c), 3);

    assertThat(swarm.ca().revoke(c.id())).isTrue();
    for (String name : List.of("a", "b")) {
      Files.copy(
          swarm.ca().dir().resolve(RevocationList.FILE),
          swarm.credentialDir(name).resolve(RevocationList.FILE),
          StandardCopyOption.REPLACE_EXISTING);
    }
    // The nodes' own timers pick the list up within CredentialWatcher.CHECK_SECONDS.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (ShoalNode n : List.of(a, b)) {
                assertThat(peerIds(n)).doesNotContain(c.id());
                assertThat(NodeClusterTest.stateOf(n, c.id())).isEqualTo("unknown");
              }
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(a.metrics().scrape() + b.metrics().scrape())
                    .contains("reason=\"revoked\""));
    await()
        .during(HOLDS_FOR)
        .atMost(HOLDS_FOR.plusSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(peerIds(a)).doesNotContain(c.id());
              assertThat(peerIds(b)).doesNotContain(c.id());
              assertThat(NodeClusterTest.stateOf(a, c.id())).isEqualTo("unknown");
              assertThat(NodeClusterTest.stateOf(b, c.id())).isEqualTo("unknown");
            });
    assertThat(NodeClusterTest.stateOf(a, b.id())).isEqualTo("alive");
  }

  @Test
  @DisplayName(
      "a certificate renewed while running is used for new connections, with the same id and"
          + " membership intact")
  void renewedWhileRunning_reconnectsWithTheNewCertificate_andStaysAMember() throws Exception {
    ShoalNode a = swarm.start(swarm.config("a"));
    ShoalNode b = swarm.join("b", a);
    NodeClusterTest.awaitMembers(List.of(a, b), 2);
    byte[] before = b.credentials().certificateDer();
    swarm.ca().issue(swarm.credentialDir("b"), Duration.ofDays(200), Instant.now());
    byte[] renewed = NodeCredentials.load(swarm.credentialDir("b"), Instant.now()).certificateDer();
    assertThat(renewed).isNotEqualTo(before);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(b.credentials().certificateDer()).isEqualTo(renewed);
              List<PeerAuthenticated> seenByA = a.connectedPeers();
              assertThat(seenByA).isNotEmpty();
              assertThat(seenByA)
                  .allSatisfy(
                      p -> {
                        assertThat(p.nodeId()).isEqualTo(b.id());
                        assertThat(p.certificate()).isEqualTo(renewed);
                      });
            });
    assertThat(b.id())
        .isEqualTo(NodeCredentials.load(swarm.credentialDir("b"), Instant.now()).nodeId());
    NodeClusterTest.awaitMembers(List.of(a, b), 2);
    assertThat(b.metrics().scrape()).contains("shoal_credential_expiry_seconds 1.7");
  }

  @Test
  @DisplayName(
      "a node on the JDK's TLS provider (the fallback) and one on OpenSSL authenticate each other"
          + " and transfer")
  void jdkProviderNode_andOpenSslNode_interoperate() throws Exception {
    ShoalNode jdk;
    System.setProperty("shoal.tls.provider", "jdk");
    try {
      jdk = swarm.start(swarm.config("jdk").withCompression(false));
    } finally {
      System.clearProperty("shoal.tls.provider");
    }
    Path file = io.shoal.testing.TestData.randomFile(tmp.resolve("d.bin"), 9, 3_000_000);
    jdk.publish(new PublishCall("d", file.toString(), null, null, null));
    ShoalNode other = swarm.join("other", jdk);
    NodeClusterTest.awaitMembers(List.of(jdk, other), 2);
    Path out = tmp.resolve("d.out");
    other.fetchTo(
        io.shoal.chunkstore.SnapshotRef.parse("d"),
        Duration.ofSeconds(30),
        out,
        io.shoal.chunkstore.snapshot.Materializer.Options.defaults());
    assertThat(Files.mismatch(file, out)).isEqualTo(-1);
    assertThat(peerIds(other)).contains(jdk.id());
  }

  private static List<NodeId> peerIds(ShoalNode n) {
    return n.connectedPeers().stream().map(PeerAuthenticated::nodeId).toList();
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
