package io.shoal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.ReferenceCountUtil;
import io.shoal.gossip.GossipConfig;
import io.shoal.node.api.PublishCall;
import io.shoal.node.net.NodeMetrics;
import io.shoal.node.net.PeerTransport;
import io.shoal.node.security.CertificateAuthority;
import io.shoal.node.security.NodeCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Real nodes on loopback for a test, killed when it ends. Secured by default: the swarm has one CA
 * (made on first use in its directory) and each node a credential issued by it; {@link
 * #insecureConfig} starts a node without.
 */
final class TestSwarm implements AutoCloseable {
  static final GossipConfig FAST = GossipConfig.defaults().scaledDown(10);
  static final Duration VALIDITY = Duration.ofDays(90);

  private final Path dir;
  private final List<ShoalNode> nodes = new ArrayList<>();
  private final List<PeerTransport> rogues = new ArrayList<>();
  private EventLoopGroup rogueLoops;
  private CertificateAuthority ca;

  TestSwarm(Path dir) {
    this.dir = dir;
  }

  /** A secured node's config: loopback, fast gossip, a credential of this swarm's CA. */
  NodeConfig config(String name) {
    return insecureConfig(name).withCredentials(credentials(name));
  }

  /** A node without credentials (plaintext, ids as declared), on loopback. */
  NodeConfig insecureConfig(String name) {
    return NodeConfig.loopback(dir.resolve(name)).withGossip(FAST);
  }

  /** This swarm's CA, made on first use. */
  synchronized CertificateAuthority ca() {
    if (ca == null) {
      try {
        ca = CertificateAuthority.init(dir.resolve("ca"), Instant.now());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return ca;
  }

  /** Where node {@code name}'s credential lives (issued on first use). */
  Path credentialDir(String name) {
    Path d = dir.resolve("credentials").resolve(name);
    if (!Files.exists(d.resolve(NodeCredentials.CERT_FILE))) {
      try {
        ca().issue(d, VALIDITY, Instant.now());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return d;
  }

  NodeCredentials credentials(String name) {
    try {
      return NodeCredentials.load(credentialDir(name), Instant.now());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
    first.publish(new PublishCall("data", source.toAbsolutePath().toString(), null, null, null));
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

  /**
   * A member that speaks the protocol itself with {@code credentials}, not a node: it sends what a
   * test makes it send and hands every message it receives to {@code received}. Closed with the
   * swarm.
   */
  synchronized PeerTransport rogue(NodeCredentials credentials, Consumer<Object> received)
      throws IOException {
    if (rogueLoops == null) {
      rogueLoops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }
    PeerTransport t =
        new PeerTransport(
            credentials.clusterId(),
            credentials.nodeId(),
            credentials,
            rogueLoops,
            new NodeMetrics(),
            (from, fromAddress, link, message) -> {
              received.accept(message);
              ReferenceCountUtil.release(message);
            });
    rogues.add(t);
    t.bind("127.0.0.1", 0, null);
    return t;
  }

  @Override
  public synchronized void close() {
    rogues.forEach(PeerTransport::close);
    if (rogueLoops != null) {
      rogueLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    nodes.forEach(ShoalNode::kill);
  }
}
