package io.shoal.cli;

import io.shoal.node.api.GetCall;
import io.shoal.node.api.NodeStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The testbed's invariants, the simulator's own (see {@code docs/simulation.md}) checked on real
 * nodes through their {@code /status} and {@code /get}: the nodes the plan left up are running (a
 * restart that did not happen is caught here, not hidden by checking fewer nodes); every live node
 * sees exactly the live nodes as alive; all agree on the winner (version and root) of every name;
 * each holds every winner complete; and every winner reads back from every live node byte for byte
 * as the testbed published it. Not thread-safe.
 */
final class TestbedCheck {
  private final TestbedNodes nodes;

  /** The source file of every root the testbed published. */
  private final Map<String, Path> published;

  /** The nodes the plan left killed or stopped; every other node must be live. */
  private final Set<Integer> plannedDown;

  TestbedCheck(TestbedNodes nodes, Map<String, Path> published, Set<Integer> plannedDown) {
    this.nodes = nodes;
    this.published = published;
    this.plannedDown = plannedDown;
  }

  /** What breaks agreement now (empty once converged), read from every live node's status. */
  List<String> disagreements() {
    List<String> out = new ArrayList<>();
    for (TestbedNodes.Node n : nodes.all()) {
      if (!n.isLive() && !plannedDown.contains(n.index)) {
        out.add("node " + n.index + " is not running, but the plan left it up");
      }
    }
    List<TestbedNodes.Node> live = nodes.live();
    Set<String> liveIds = new TreeSet<>();
    live.forEach(n -> liveIds.add(n.id));
    List<NodeStatus.WinnerView> reference = null;
    for (TestbedNodes.Node n : live) {
      NodeStatus s;
      try {
        s = n.client().get("/status", NodeStatus.class);
      } catch (IOException | RuntimeException e) {
        out.add("node " + n.index + " does not answer /status: " + e.getMessage());
        continue;
      }
      Set<String> alive = new TreeSet<>();
      s.members().stream().filter(m -> m.state().equals("alive")).forEach(m -> alive.add(m.id()));
      if (!alive.equals(liveIds)) {
        out.add("node " + n.index + " sees " + alive.size() + " alive of " + liveIds.size());
      }
      List<NodeStatus.WinnerView> winners = s.winners().stream().map(TestbedCheck::key).toList();
      if (reference == null) {
        reference = winners;
      } else if (!reference.equals(winners)) {
        out.add("node " + n.index + " has other winners: " + describe(winners));
      }
      for (NodeStatus.WinnerView w : winners) {
        if (!holdsComplete(s, n.id, w)) {
          out.add("node " + n.index + " does not hold " + w.name() + "@" + w.version());
        }
      }
    }
    return out;
  }

  /** The winners every live node agrees on, each read back from every live node. */
  List<String> readBack(Path scratch) throws IOException {
    List<String> out = new ArrayList<>();
    for (TestbedNodes.Node n : nodes.live()) {
      for (NodeStatus.WinnerView w : n.client().get("/status", NodeStatus.class).winners()) {
        Path source = published.get(w.root());
        if (source == null) {
          out.add(w.name() + "@" + w.version() + " (root " + w.root() + ") was never published");
          continue;
        }
        Path copy = scratch.resolve("node" + n.index + "-" + w.name() + "@" + w.version());
        String ref = w.name() + "@" + w.version();
        try {
          n.client().post("/get", new GetCall(ref, copy.toString(), true, false), Object.class);
          if (Files.mismatch(source, copy) != -1) {
            out.add("node " + n.index + " reads " + ref + " back with other bytes");
          }
        } catch (IOException | RuntimeException e) {
          out.add("node " + n.index + " cannot read " + ref + " back: " + e.getMessage());
        } finally {
          Files.deleteIfExists(copy);
        }
      }
    }
    return out;
  }

  private static boolean holdsComplete(NodeStatus s, String self, NodeStatus.WinnerView w) {
    return s.catalogs().stream()
        .filter(c -> c.owner().equals(self))
        .flatMap(c -> c.entries().stream())
        .filter(e -> e.name().equals(w.name()))
        .flatMap(e -> e.versions().stream())
        .anyMatch(h -> h.root().equals(w.root()) && h.complete());
  }

  /** A winner without its holders, which differ while they fetch. */
  private static NodeStatus.WinnerView key(NodeStatus.WinnerView w) {
    return new NodeStatus.WinnerView(w.name(), w.version(), w.root(), 0, List.of(), List.of());
  }

  private static String describe(List<NodeStatus.WinnerView> winners) {
    return winners.stream().map(w -> w.name() + "@" + w.version()).toList().toString();
  }
}
