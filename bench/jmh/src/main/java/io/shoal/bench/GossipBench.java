package io.shoal.bench;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.views.ViewConfig;
import io.shoal.node.MembershipMode;
import io.shoal.node.NodeConfig;
import io.shoal.node.ShoalNode;
import io.shoal.node.api.NodeStatus;
import io.shoal.node.api.PublishCall;
import io.shoal.node.security.CertificateAuthority;
import io.shoal.node.security.NodeCredentials;
import java.time.Duration;
import java.time.Instant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Gossip figures of a loopback swarm with default settings (bench/gossip.sh runs it):
 * propagation of a catalog entry to every node (median of 5), gossip bytes per node per second
 * in a quiet swarm, and the time from the end of a partition (two halves, held past the dead
 * timeout) until every node agrees on members and winners.
 *
 * <p>With a fourth argument {@code views} the nodes run partial views ({@code --membership views},
 * default view sizes) instead: the swarm is formed when every active view is filled as far as the
 * swarm allows and the links connect every node; the quiet figure then also counts view messages
 * per node per second (what the simulator's membership-views reports as upkeep); there is no
 * partition phase (views heal by their passive views, which the cluster tests check).
 */
public final class GossipBench {
  private GossipBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int quietSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    boolean secured = args.length <= 2 || !args[2].equals("insecure");
    boolean views = args.length > 3 && args[3].equals("views");
    Path dir = Files.createTempDirectory("shoal-gossip-bench");
    List<ShoalNode> nodes = new ArrayList<>();
    try {
      startSwarm(nodes, n, dir, secured, views);
      double medianMs = propagationMedianMs(nodes, dir, views);
      waitFor(() -> false, 5);
      double before = sentBytes(nodes);
      double messagesBefore = viewMessagesSent(nodes);
      waitFor(() -> false, quietSeconds);
      double quiet = (sentBytes(nodes) - before) / n / quietSeconds;
      System.err.printf("quiet swarm: %.0f gossip bytes per node per second (over %d s)%n", quiet, quietSeconds);
      if (views) {
        double messages = (viewMessagesSent(nodes) - messagesBefore) / n / quietSeconds;
        System.out.printf(
            "gossip: membership=views nodes=%d propagation_median_ms=%.0f quiet_bytes_per_node_per_s=%.0f"
                + " quiet_view_messages_per_node_per_s=%.2f%n",
            n, medianMs, quiet, messages);
        return;
      }
      double healSeconds = partitionAndHeal(nodes, dir) / 1e9;
      System.out.printf(
          "gossip: nodes=%d propagation_median_ms=%.0f quiet_bytes_per_node_per_s=%.0f heal_s=%.2f%n",
          n, medianMs, quiet, healSeconds);
    } finally {
      nodes.forEach(ShoalNode::kill);
    }
  }

  /** Starts {@code n} nodes joined through the first, and waits until all see all. */
  private static void startSwarm(List<ShoalNode> nodes, int n, Path dir, boolean secured, boolean views)
      throws Exception {
    CertificateAuthority ca = secured ? CertificateAuthority.init(dir.resolve("ca"), Instant.now()) : null;
    for (int i = 0; i < n; i++) {
      NodeConfig c = NodeConfig.loopback(dir.resolve("n" + i));
      if (secured) {
        Path cred = dir.resolve("cred-" + i);
        ca.issue(cred, Duration.ofDays(1), Instant.now());
        c = c.withCredentials(NodeCredentials.load(cred, Instant.now()));
      }
      if (views) {
        c = c.withMembership(MembershipMode.views(ViewConfig.defaults())).withFollow(List.of("bench"));
      }
      if (i > 0) {
        c = c.withSeeds(List.of(nodes.get(0).peerAddress()));
      }
      nodes.add(ShoalNode.start(c));
    }
    System.err.printf("%s swarm%s%n", secured ? "secured (TLS, signed gossip)" : "insecure", views ? ", partial views" : "");
    long formed = waitFor(views ? () -> viewsFormed(nodes) : () -> nodes.stream().allMatch(x -> alive(x) == n), 120);
    System.err.printf("%d nodes formed a swarm in %.2f s%n", n, formed / 1e9);
    if (views) {
      System.err.printf("active views at that point: %s%n",
          nodes.stream().map(x -> x.status().views().active().size()).toList());
    }
  }

  /**
   * Five publishes from random nodes: the median time until every node's winner is the new one (in
   * views mode, where a node's status shows no other node's catalog: until every node, following
   * the name, holds the new version complete, which adds a 4 KiB fetch).
   */
  private static double propagationMedianMs(List<ShoalNode> nodes, Path dir, boolean views) throws Exception {
    int n = nodes.size();
    SplittableRandom random = new SplittableRandom(42);
    long[] propagation = new long[5];
    for (int round = 0; round < propagation.length; round++) {
      ShoalNode publisher = nodes.get(random.nextInt(n));
      long version = publish(publisher, dir, "bench", round);
      propagation[round] =
          waitFor(() -> nodes.stream().allMatch(x -> (views ? heldVersion(x, "bench") : winnerVersion(x, "bench")) == version), 60);
      System.err.printf("round %d: bench@%d from %s reached all %d nodes in %.0f ms%n",
          round + 1, version, publisher.id().shortHex(), n, propagation[round] / 1e6);
    }
    Arrays.sort(propagation);
    return propagation[propagation.length / 2] / 1e6;
  }

  /**
   * Cuts the swarm in halves until each sees the other dead, publishes on both sides, heals, and
   * returns the nanoseconds until all agree on members and winners.
   */
  private static long partitionAndHeal(List<ShoalNode> nodes, Path dir) throws Exception {
    int n = nodes.size();
    Set<NodeId> left = new HashSet<>();
    for (int i = 0; i < n / 2; i++) {
      left.add(nodes.get(i).id());
    }
    for (ShoalNode x : nodes) {
      boolean inLeft = left.contains(x.id());
      x.setTransportFilter(from -> left.contains(from) == inLeft);
    }
    long split =
        waitFor(
            () -> nodes.stream().allMatch(x -> x.status().members().stream()
                .filter(m -> left.contains(NodeId.parse(m.id())) != left.contains(x.id()))
                .allMatch(m -> m.state().equals("dead"))),
            300);
    System.err.printf("partition %d/%d: every node saw the other half dead after %.1f s%n", n / 2, n - n / 2, split / 1e9);
    publish(nodes.get(0), dir, "split", 100);
    publish(nodes.get(n - 1), dir, "split", 101);
    waitFor(() -> false, 2);
    for (ShoalNode x : nodes) {
      x.setTransportFilter(from -> true);
    }
    long heal =
        waitFor(
            () -> nodes.stream().allMatch(x -> alive(x) == n)
                && nodes.stream().map(x -> x.status().winners()).distinct().count() == 1,
            120);
    System.err.printf("after the partition ended, all %d nodes agreed on members and winners in %.2f s%n", n, heal / 1e9);
    return heal;
  }

  private static long publish(ShoalNode node, Path dir, String name, long seed) throws Exception {
    byte[] bytes = new byte[4096];
    new SplittableRandom(seed).nextBytes(bytes);
    Path f = Files.write(dir.resolve(name + "-" + seed + ".bin"), bytes);
    return node.publish(new PublishCall(name, f.toAbsolutePath().toString(), null, null, 0)).version();
  }

  static long alive(ShoalNode n) {
    return n.status().members().stream().filter(m -> m.state().equals("alive")).count();
  }

  static long winnerVersion(ShoalNode n, String name) {
    for (NodeStatus.WinnerView w : n.status().winners()) {
      if (w.name().equals(name)) {
        return w.version();
      }
    }
    return -1;
  }

  /**
   * Whether every node's active view is at least half full (HyParView fills the rest over the
   * next shuffles, and may leave two short nodes linked to each other short for good) and the
   * links connect every node.
   */
  static boolean viewsFormed(List<ShoalNode> nodes) {
    int want = (Math.min(ViewConfig.DEFAULT_ACTIVE_VIEW_SIZE, nodes.size() - 1) + 1) / 2;
    Map<String, List<String>> links = new HashMap<>();
    for (ShoalNode x : nodes) {
      NodeStatus s = x.status();
      if (s.views() == null || s.views().active().size() < want) {
        return false;
      }
      links.put(s.node().id(), s.views().active());
    }
    Set<String> seen = new HashSet<>();
    ArrayDeque<String> todo = new ArrayDeque<>(List.of(nodes.get(0).status().node().id()));
    while (!todo.isEmpty()) {
      String id = todo.poll();
      if (seen.add(id)) {
        todo.addAll(links.getOrDefault(id, List.of()));
      }
    }
    return seen.size() == nodes.size();
  }

  /** View messages the nodes handed to their transports, summed over types and nodes. */
  static double viewMessagesSent(List<ShoalNode> nodes) {
    double sum = 0;
    for (ShoalNode x : nodes) {
      for (MetricSnapshot m : x.metrics().registry().scrape()) {
        if (m instanceof CounterSnapshot c && c.getMetadata().getName().equals("shoal_views_messages_sent")) {
          sum += c.getDataPoints().stream().mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
        }
      }
    }
    return sum;
  }

  static long heldVersion(ShoalNode n, String name) {
    return n.store().catalog().latestComplete(name).map(e -> e.version()).orElse(-1L);
  }

  static double sentBytes(List<ShoalNode> nodes) {
    return nodes.stream().mapToDouble(x -> x.metrics().sentBytes()).sum();
  }

  /** Polls every 5 ms until the condition holds (or the limit passes); returns the time taken. */
  static long waitFor(BooleanSupplier done, int limitSeconds) throws InterruptedException {
    long start = System.nanoTime();
    long limit = start + limitSeconds * 1_000_000_000L;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - limit > 0) {
        return System.nanoTime() - start;
      }
      Thread.sleep(5);
    }
    return System.nanoTime() - start;
  }
}
