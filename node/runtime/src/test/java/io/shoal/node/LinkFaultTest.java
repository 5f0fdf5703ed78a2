package io.shoal.node;

import static io.shoal.node.RawHttp.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.node.api.NodeStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin route {@code /admin/faults} against its attacks (no token, a wrong token, the flag off,
 * oversized and malformed bodies), and the faults it injects against real nodes: a one-way drop
 * makes the other side suspect the node, and clearing it brings the node back.
 */
class LinkFaultTest {
  static final String JSON = "application/json";

  @TempDir Path tmp;
  private TestSwarm swarm;

  @AfterEach
  void stop() {
    if (swarm != null) {
      swarm.close();
    }
  }

  private ShoalNode start(String name, boolean injection) throws Exception {
    swarm = swarm == null ? new TestSwarm(tmp) : swarm;
    NodeConfig c = swarm.config(name);
    return swarm.start(injection ? c.withFaults(Faults.linkFaultsOnly()) : c);
  }

  private static RawHttp.Reply send(
      ShoalNode n, String method, String token, String body, String contentType) throws Exception {
    Map<String, String> h = headers("Host", "127.0.0.1:" + n.httpAddress().getPort());
    if (token != null) {
      h.put("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      h.put("Content-Type", contentType);
    }
    return RawHttp.send(n.httpAddress(), RawHttp.request(method, FaultRoutes.PATH, h, body));
  }

  private RawHttp.Reply post(ShoalNode n, String name, String body) throws Exception {
    return send(n, "POST", swarm.apiToken(name), body, JSON);
  }

  @Test
  void adminFaults_withoutTokenOrWithAWrongOne_isRefusedAndChangesNothing() throws Exception {
    ShoalNode n = start("n", true);
    String body = "{\"frozen\": true}";

    assertThat(send(n, "POST", null, body, JSON).status()).isEqualTo(401);
    assertThat(send(n, "POST", "0".repeat(43), body, JSON).status()).isEqualTo(401);
    assertThat(send(n, "GET", null, "", null).status()).isEqualTo(401);
    assertThat(send(n, "DELETE", "wrong", "", JSON).status()).isEqualTo(401);

    RawHttp.Reply now = send(n, "GET", swarm.apiToken("n"), "", null);
    assertThat(now.status()).isEqualTo(200);
    assertThat(now.body()).contains("\"frozen\" : false");
  }

  @Test
  void adminFaults_flagOff_isNotServedEvenWithTheToken() throws Exception {
    ShoalNode n = start("n", false);

    RawHttp.Reply r = post(n, "n", "{\"frozen\": true}");

    assertThat(r.status()).isEqualTo(404);
    assertThat(send(n, "GET", swarm.apiToken("n"), "", null).status()).isEqualTo(404);
  }

  @Test
  void adminFaults_badBodies_answer400Or413WithOneLine_andKeepTheRules() throws Exception {
    ShoalNode n = start("n", true);
    RawHttp.Reply first = post(n, "n", "{\"latencyMs\": 5}");
    assertThat(first.status()).as(first.body()).isEqualTo(200);

    Map<String, String> refused =
        Map.of(
            "{\"frozen\": true, \"explode\": 1}", "unknown field 'explode'",
            "{\"dropTo\": [\"not-an-id\"]}", "dropTo: not a node id",
            "{\"latencyMs\": 600000}", "latencyMs must be 0..60000",
            "{\"lossRate\": 1.5}", "lossRate must be in [0, 1]",
            "{\"frozen\": tru", "not a JSON object of link faults",
            "null", "not a JSON object of link faults",
            "{\"latencyMs\": \"slow\"}", "not a JSON object of link faults");
    for (Map.Entry<String, String> e : refused.entrySet()) {
      RawHttp.Reply r = post(n, "n", e.getKey());
      assertThat(r.status()).as(e.getKey()).isEqualTo(400);
      assertThat(r.body()).as(e.getKey()).contains(e.getValue());
      assertThat(r.body().lines()).as(e.getKey()).hasSize(1);
    }
    String huge = "{\"dropTo\": [" + "\"x\",".repeat(FaultRoutes.MAX_BODY_BYTES / 4) + "\"x\"]}";
    assertThat(post(n, "n", huge).status()).isEqualTo(413);

    RawHttp.Reply kept = send(n, "GET", swarm.apiToken("n"), "", null);
    assertThat(kept.body()).contains("\"latencyMs\" : 5").contains("\"frozen\" : false");
  }

  @Test
  void adminFaults_postThenDelete_setsAndClearsTheRules() throws Exception {
    ShoalNode n = start("n", true);
    String peer = "0123456789abcdef0123456789abcdef";

    RawHttp.Reply set =
        post(n, "n", "{\"dropTo\": [\"" + peer + "\"], \"lossRate\": 0.25, \"seed\": 7}");
    RawHttp.Reply cleared = send(n, "DELETE", swarm.apiToken("n"), "", JSON);

    assertThat(set.status()).isEqualTo(200);
    assertThat(set.body()).contains(peer).contains("\"lossRate\" : 0.25");
    assertThat(cleared.status()).isEqualTo(200);
    assertThat(cleared.body()).doesNotContain(peer).contains("\"lossRate\" : 0.0");
  }

  @Test
  @DisplayName("a one-way drop: the peer that hears nothing suspects the node; clearing it heals")
  void adminFaults_oneWayDrop_peerSuspectsThenHeals() throws Exception {
    ShoalNode a = start("a", true);
    ShoalNode b = swarm.start(swarm.config("b").withSeeds(List.of(a.peerAddress())));
    awaitState(b, a, "alive");

    RawHttp.Reply cut = post(a, "a", "{\"dropTo\": [\"" + b.id().toHex() + "\"]}");
    assertThat(cut.status()).isEqualTo(200);
    awaitState(b, a, "suspect", "dead");
    assertThat(a.metrics().scrape())
        .containsPattern("shoal_peer_messages_dropped_total\\{reason=\"injected\"} [1-9]");

    assertThat(send(a, "DELETE", swarm.apiToken("a"), "", JSON).status()).isEqualTo(200);
    awaitState(b, a, "alive");
    awaitState(a, b, "alive");
  }

  /** Waits until {@code observer} sees {@code subject} in one of {@code states}. */
  private static void awaitState(ShoalNode observer, ShoalNode subject, String... states) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> List.of(states).contains(stateOf(observer.status(), subject)));
  }

  private static String stateOf(NodeStatus status, ShoalNode subject) {
    return status.members().stream()
        .filter(m -> m.id().equals(subject.id().toHex()))
        .map(NodeStatus.Member::state)
        .findFirst()
        .orElse("unknown");
  }
}
