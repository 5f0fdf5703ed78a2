package io.shoal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.shoal.node.DataDirFiles;
import io.shoal.node.security.CertificateAuthority;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The testbed's real nodes: one {@code shoal node} process each, on loopback ports the OS chooses,
 * in its own data directory under the run's temporary directory, with a credential of the run's own
 * CA and the fault route on. Starts, kills (SIGKILL), stops (SIGSTOP), continues and restarts them,
 * and sets each one's link faults through its admin route. Not thread-safe, except {@link
 * #destroyAll}, which the shutdown hook calls.
 */
final class TestbedNodes {
  /** How long a node may take to start and answer. */
  static final Duration START_TIMEOUT = Duration.ofMinutes(2);

  /** The JVM options of every node: small heaps and the quick compiler, for many on one machine. */
  static final List<String> JVM_OPTIONS =
      List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  /** What the testbed knows of one node. */
  static final class Node {
    final int index;
    final Path data;
    final Path credentials;
    volatile Process process;
    String id;
    boolean stopped;

    Node(int index, Path data, Path credentials) {
      this.index = index;
      this.data = data;
      this.credentials = credentials;
    }

    boolean isLive() {
      Process p = process;
      return p != null && p.isAlive() && !stopped;
    }

    NodeClient client() {
      return NodeClient.find(data)
          .orElseThrow(() -> new CliException("node " + index + " does not answer"));
    }
  }

  private final Path dir;
  private final int gossipSpeedup;
  private final List<Node> nodes = new ArrayList<>();

  TestbedNodes(Path dir, int count, int gossipSpeedup) throws IOException {
    this.dir = dir;
    this.gossipSpeedup = gossipSpeedup;
    CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), Instant.now());
    for (int i = 0; i < count; i++) {
      Path credentials = dir.resolve("credentials").resolve("node" + i);
      ca.issue(credentials, Duration.ofDays(CertificateAuthority.DEFAULT_NODE_DAYS), Instant.now());
      nodes.add(new Node(i, dir.resolve("node" + i), credentials));
    }
  }

  List<Node> all() {
    return nodes;
  }

  Node get(int i) {
    return nodes.get(i);
  }

  List<Node> live() {
    return nodes.stream().filter(Node::isLive).toList();
  }

  /** Starts every node, the first alone and the others joining it, and waits until all answer. */
  void startAll() throws IOException, InterruptedException {
    start(nodes.get(0));
    awaitUp(nodes.get(0));
    for (int i = 1; i < nodes.size(); i++) {
      start(nodes.get(i));
    }
    for (Node n : nodes) {
      awaitUp(n);
    }
  }

  /** Kills {@code n} with SIGKILL: it loses its memory, its store stays. */
  void kill(Node n) throws InterruptedException {
    n.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    n.stopped = false;
  }

  /** Starts {@code n} again on its data directory, joining the live nodes, and waits for it. */
  void restart(Node n) throws IOException, InterruptedException {
    start(n);
    awaitUp(n);
  }

  /** Sends SIGSTOP (or SIGCONT) to {@code n}'s process. */
  void signal(Node n, boolean stop) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", Long.toString(n.process.pid()))
            .redirectErrorStream(true)
            .start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill " + (stop ? "-STOP " : "-CONT ") + n.process.pid() + " failed");
    }
    n.stopped = stop;
  }

  /** Sets {@code n}'s link faults: drop what goes to or comes from the given nodes. */
  void setFaults(Node n, Set<Integer> dropTo, Set<Integer> dropFrom, double lossRate)
      throws IOException {
    Map<String, Object> body =
        Map.of(
            "dropTo",
            dropTo.stream().map(i -> nodes.get(i).id).toList(),
            "dropFrom",
            dropFrom.stream().map(i -> nodes.get(i).id).toList(),
            "lossRate",
            lossRate,
            "seed",
            (long) n.index);
    n.client().post("/admin/faults", body, JsonNode.class);
  }

  /** Kills every process; safe to call from a shutdown hook, and more than once. */
  void destroyAll() {
    for (Node n : nodes) {
      Process p = n.process;
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
      }
    }
    for (Node n : nodes) {
      Process p = n.process;
      if (p != null) {
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void start(Node n) throws IOException {
    List<String> seeds = new ArrayList<>();
    for (Node other : nodes) {
      if (other != n && other.isLive()) {
        NodeClient.info(other.data).ifPresent(i -> seeds.add(i.peer()));
      }
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_OPTIONS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(
        List.of(
            "node",
            "--data",
            n.data.toString(),
            "--credentials",
            n.credentials.toString(),
            "--listen",
            "127.0.0.1:0",
            "--http",
            "127.0.0.1:0",
            "--follow",
            "*",
            "--enable-fault-injection",
            "--gossip-speedup",
            Integer.toString(gossipSpeedup)));
    if (!seeds.isEmpty()) {
      cmd.addAll(List.of("--join", String.join(",", seeds)));
    }
    Path log = dir.resolve("node" + n.index + ".log");
    n.process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    n.stopped = false;
  }

  /** Waits until {@code n}'s own process wrote its node.json and answers; learns its id. */
  private void awaitUp(Node n) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!n.process.isAlive()) {
        throw new IOException(
            "node " + n.index + " exited at start; see " + dir.resolve("node" + n.index + ".log"));
      }
      Optional<DataDirFiles.NodeInfo> info = NodeClient.info(n.data);
      if (info.isPresent()
          && info.get().pid() == n.process.pid()
          && NodeClient.find(n.data).isPresent()) {
        n.id = info.get().nodeId();
        return;
      }
      Thread.sleep(100);
    }
    throw new IOException("node " + n.index + " did not answer within " + START_TIMEOUT);
  }
}
