package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shoal.gossip.GossipConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Real nodes on loopback for a test, killed when it ends. */
final class TestSwarm implements AutoCloseable {
  static final GossipConfig FAST = GossipConfig.defaults().scaledDown(10);

  private final Path dir;
  private final List<ShoalNode> nodes = new ArrayList<>();

  TestSwarm(Path dir) {
    this.dir = dir;
  }

  NodeConfig config(String name) {
    return NodeConfig.loopback(dir.resolve(name)).withGossip(FAST);
  }

  ShoalNode start(NodeConfig config) throws Exception {
    ShoalNode n = ShoalNode.start(config);
    nodes.add(n);
    return n;
  }

  /** The HTTP API token of the running node named {@code name}, from its node.json. */
  String apiToken(String name) throws java.io.IOException {
    return DataDirFiles.readNodeInfo(dir.resolve(name)).orElseThrow().token();
  }

  /** A node that joins through {@code seed}. */
  ShoalNode join(String name, ShoalNode seed) throws Exception {
    return start(config(name).withSeeds(List.of(seed.peerAddress())));
  }

  /**
   * A publisher of {@code source} as snapshot "data" and {@code count - 1} nodes that follow
   * everything it publishes; returns once all hold it complete.
   */
  List<ShoalNode> seeders(int count, Path source) throws Exception {
    ShoalNode first = start(config("s0"));
    List<ShoalNode> all = new ArrayList<>(List.of(first));
    for (int i = 1; i < count; i++) {
      all.add(
          start(config("s" + i).withSeeds(List.of(first.peerAddress())).withFollow(List.of("*"))));
    }
    first.publish(
        new ShoalNode.PublishCall("data", source.toAbsolutePath().toString(), null, null, null));
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              for (ShoalNode n : all) {
                assertThat(n.store().catalog().latestComplete("data"))
                    .as("seeder %s", n.id().shortHex())
                    .isPresent();
              }
            });
    return all;
  }

  /** Waits until {@code node} knows {@code count} complete holders of the winner of "data". */
  static void awaitHolders(ShoalNode node, int count) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                node.status().winners().stream()
                    .anyMatch(w -> w.name().equals("data") && w.completeHolders().size() >= count));
  }

  @Override
  public void close() {
    nodes.forEach(ShoalNode::kill);
  }
}
