package io.shoal.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.gossip.GossipConfig;
import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MalformedPeerTest {
  @TempDir Path tmp;

  @Test
  @DisplayName(
      "garbage on the peer port closes that one connection, is counted, and the node keeps serving")
  void garbage_closesOneConnection_nodeSurvives() throws Exception {
    GossipConfig fast = GossipConfig.defaults().scaledDown(10);
    try (ShoalNode node = ShoalNode.start(NodeConfig.loopback(tmp.resolve("a")).withGossip(fast))) {
      try (Socket s =
          new Socket(java.net.InetAddress.getLoopbackAddress(), node.peerAddress().port())) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        // A well-formed length, then a body that is no message at all.
        out.write(new byte[] {0, 0, 0, 6, 1, (byte) 0xee, 1, 2, 3, 4});
        out.flush();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        int n;
        do {
          n = in.read(buf); // the node's Hello, then end of stream when it closes
        } while (n > 0);
        assertThat(n).isEqualTo(-1);
      }
      try (Socket s =
          new Socket(java.net.InetAddress.getLoopbackAddress(), node.peerAddress().port())) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        s.getOutputStream().flush();
        while (s.getInputStream().read(new byte[4096]) > 0) {
          // drain until the node closes
        }
      }
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(node.metrics().scrape())
                      .contains("shoal_peer_malformed_frames_total 2.0"));
      try (ShoalNode other =
          ShoalNode.start(
              NodeConfig.loopback(tmp.resolve("b"))
                  .withGossip(fast)
                  .withSeeds(List.of(node.peerAddress())))) {
        await()
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(
                () -> {
                  // Each side learns of the other from its own messages: not at the same moment.
                  assertThat(node.status().members()).hasSize(2);
                  assertThat(other.status().members()).hasSize(2);
                });
      }
    }
  }
}
